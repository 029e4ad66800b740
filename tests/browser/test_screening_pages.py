"""The screening pages in a real browser: axe-core (WCAG 2.1 A/AA) finds nothing, they read at 320 px,
have one h1; a preparer requests a supplement and the lead sees it, with plain forms."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.screening import services
from kuntadigi.screening.models import SupplementRequest
from tests.browser.helpers import check_page, sign_in_as
from tests.integration import screening_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    world = support.World()
    support.submitted(world.call, summary="Sote-palvelujen ajanvaraus.", project_name="Ajanvaraus")
    return world


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_preparer_requests_a_supplement_and_the_lead_sees_it(page, site, world, lang):
    sign_in_as(page, site, world.preparer, clear=True)
    check_page(page, site.reverse("screening:list", world.call.slug, lang=lang))
    expect(page.locator("main table")).to_contain_text(world.app.reference)
    check_page(page, site.reverse("screening:application", world.app.pk, lang=lang))
    form = page.locator("form[action$='/supplement/']")
    form.locator("input[value=schedule]").check()
    form.locator("textarea[name=message]").fill("Korjatkaa aikataulu.")
    form.locator("input[type=datetime-local]").fill(clock.helsinki(clock.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/officials/applications/*/**")
    assert SupplementRequest.objects.filter(application=world.app).exists()
    check_page(page, site.reverse("screening:application", world.app.pk, lang=lang))

    sign_in_as(page, site, world.lead, clear=True)
    check_page(page, site.reverse("applications:detail", world.app.pk, lang=lang))
    expect(page.locator(".supplement-notice")).to_contain_text("Korjatkaa aikataulu.")
    check_page(page, site.reverse("applications:edit", world.app.pk, lang=lang))
    expect(page.locator("#id_end_date")).to_be_enabled()
    expect(page.locator("#id_objectives")).to_be_disabled()


def test_application_page_with_two_versions_and_the_roles_page(page, site, world):
    services.request_supplement(world.preparer, world.app.pk, ["project"], "Tarkentakaa.", clock.now() + timedelta(days=7))
    app = world.refresh()
    drafting.save_draft(world.lead, app, {"objectives": "Uudet ja tarkemmat tavoitteet."}, app.version)
    services.submit_supplement(world.lead, app.pk)
    services.mark_application(world.preparer, world.app.pk, "eligible", "Kunnossa.")
    sign_in_as(page, site, world.presenter, clear=True)
    check_page(page, site.reverse("screening:application", world.app.pk, lang="en"))
    expect(page.locator("#changes")).to_be_visible()
    sign_in_as(page, site, world.admin, clear=True)
    check_page(page, site.reverse("screening:call_roles", world.call.slug, lang="en"))
