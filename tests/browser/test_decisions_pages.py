"""The decision pages in a real browser: axe-core (WCAG 2.1 A/AA) finds nothing, they read at 320 px, and
a decision is prepared, previewed and signed with plain forms (no JavaScript)."""

import pytest
from playwright.sync_api import expect

from kuntadigi.decisions.models import Decision
from tests.browser.helpers import check_page, sign_in_as
from tests.integration import decisions_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    return support.build_world()


def test_the_presenter_prepares_and_the_decision_maker_signs_without_javascript(nojs_page, site, world):
    page = nojs_page
    app = world.apps["sv"]
    sign_in_as(page, site, world.presenter)

    page.goto(site.reverse("decisions:decision_list", world.call.slug, lang="en"))
    page.get_by_role("link", name=f"Prepare {app.reference}").click()
    expect(page.locator("h1")).to_have_text("Prepare the decision")
    page.get_by_label("Title of the presenting official").fill("konsultativ tjänsteman")
    page.get_by_label("Decision-maker", exact=True).select_option(label="Anne-Marie Välikangas")
    page.get_by_label("Title of the decision-maker").fill("finansråd")
    page.get_by_role("button", name="Save the draft and preview").click()
    expect(page.locator("h1")).to_have_text("Preview of the draft decision")
    expect(page.locator(".decision-paper")).to_contain_text("Borgå")
    expect(page.get_by_role("link", name="Download preview PDF")).to_be_visible()

    sign_in_as(page, site, world.decision_maker)
    page.goto(site.reverse("decisions:decision_preview", app.pk, lang="en"))
    page.get_by_role("link", name="Sign the decision").click()
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.locator(".notice-success")).to_contain_text("The decision was signed")
    decision = Decision.objects.get(application=app)
    assert decision.state == "signed" and decision.document_sha256

    sign_in_as(page, site, world.lead_user)
    page.goto(site.reverse("applications:detail", app.pk, lang="sv"))
    expect(page.locator("#decision")).to_be_visible()


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_decision_pages_are_accessible(page, site, world, lang):
    from kuntadigi.decisions import services_decisions as services

    data = services.defaults_for(world.application("fi"), world.preparer)
    data.presenter_id, data.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    services.prepare_decision(world.preparer, world.apps["fi"].pk, data)
    sign_in_as(page, site, world.preparer)

    check_page(page, site.reverse("decisions:decision_list", world.call.slug, lang=lang))
    check_page(page, site.reverse("decisions:decision_batch_prepare", world.call.slug, lang=lang))
    check_page(page, site.reverse("decisions:decision_prepare", world.apps["fi"].pk, lang=lang))
    check_page(page, site.reverse("decisions:decision_preview", world.apps["fi"].pk, lang=lang))
    sign_in_as(page, site, world.decision_maker)
    check_page(page, site.reverse("decisions:decision_sign", world.apps["fi"].pk, lang=lang))
    check_page(page, site.reverse("decisions:decision_batch_sign", world.call.slug, lang=lang))
