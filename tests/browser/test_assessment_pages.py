"""The assessment pages in a real browser: axe-core (WCAG 2.1 A/AA) finds nothing, they read at 320 px,
and an assessor scores with plain forms (without JavaScript too)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntadigi.assessment import services
from kuntadigi.assessment.models import Assignment
from kuntadigi.calls.models import Criterion
from tests.browser.helpers import assert_no_axe_violations, check_page, sign_in_as
from tests.integration import assessment_data as data

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    w = data.world()
    w.first = services.assign(w.preparer, w.app_a.pk, w.anna.pk)
    second = services.assign(w.preparer, w.app_a.pk, w.bertil.pk)
    data.score_all(w.bertil, second, [5, 4, 3])
    data.tie(w.cecilia, w.porvoo)
    return w


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_an_assessor_scores_and_sees_the_others_after_submitting(page, site, world, lang):
    w = world
    sign_in_as(page, site, w.anna)
    check_page(page, site.reverse("assessment:queue", lang=lang))
    check_page(page, site.reverse("assessment:ties", lang=lang))
    url = site.reverse("assessment:score", w.first.pk, lang=lang)
    check_page(page, url)
    # Submitting with nothing filled in: the error summary, focused, with links to the fields.
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert_no_axe_violations(page)
    criteria = list(Criterion.objects.filter(call=w.call).order_by("order"))
    for value, criterion in zip([4, 3, 2], criteria, strict=True):
        page.locator(f"#id_score_{criterion.pk}_{value}").check()
        page.locator(f"#id_justification_{criterion.pk}").fill(f"Perustelu {criterion.pk}")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(url)
    assert Assignment.objects.get(pk=w.first.pk).submitted_at is not None
    check_page(page, url)
    expect(page.locator("main")).to_contain_text("Perustelu")


def test_scoring_works_without_javascript(nojs_page, site, world):
    w = world
    sign_in_as(nojs_page, site, w.anna)
    url = site.reverse("assessment:score", w.first.pk, lang="en")
    nojs_page.goto(url)
    criterion = Criterion.objects.filter(call=w.call).order_by("order").first()
    nojs_page.locator(f"#id_score_{criterion.pk}_5").check()
    nojs_page.locator("button[name=action][value=draft]").click()
    nojs_page.wait_for_url(url)
    expect(nojs_page.locator(".notice-success")).to_contain_text("saved as a draft")
    assert_no_axe_violations(nojs_page)


def test_officials_pages(page, site, world):
    w = world
    sign_in_as(page, site, w.preparer)
    check_page(page, site.reverse("assessment:assignments", w.call.slug, lang="sv"))
    check_page(page, site.reverse("assessment:results", w.call.slug, lang="fi"))
