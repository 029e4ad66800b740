"""The officials' lists in a real browser without JavaScript: the search box, the downloads and marking
several applications at once on the screening list; axe-core finds nothing, the pages read at 320 px."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.screening import services
from kuntadigi.screening.models import Screening
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as
from tests.integration import screening_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    world = support.World()
    world.second = support.submitted(world.call, project_name="Digitaalinen asiointi")
    world.third = support.submitted(world.call, project_name="Sähköiset kokoukset")
    return world


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_preparer_searches_and_marks_several_without_javascript(nojs_page, site, world, lang):
    page = nojs_page
    services.request_supplement(world.preparer, world.third.pk, ["schedule"], "Aikataulu.", clock.now() + timedelta(days=3))
    sign_in_as(page, site, world.preparer, clear=True)
    check_page(page, site.reverse("applications:official_list", world.call.slug, lang=lang) + "?q=asiointi")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    check_page(page, site.reverse("screening:list", world.call.slug, lang=lang))

    # One of the three waits for a supplement: the whole batch is refused and the list says which.
    form = page.locator("form#bulk-mark")
    for app in (world.app, world.second, world.third):
        form.locator(f"#choose-{app.pk}").check()
    form.locator("input[name=outcome][value=eligible]").check()
    form.locator("textarea[name=reason]").fill("Täyttää haun ehdot.")
    form.locator("button[type=submit]").click()
    expect(page.locator("#batch-failures")).to_contain_text(world.third.reference)
    assert not Screening.objects.exists()
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)

    form = page.locator("form#bulk-mark")
    form.locator(f"#choose-{world.third.pk}").uncheck()
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/screening/**")
    assert sorted(Screening.objects.values_list("application_id", flat=True)) == sorted([world.app.pk, world.second.pk])
    assert_no_axe_violations(page)
