"""The settlement in a real browser, without JavaScript: the preparer prepares the settlement decision on
its page, the decision-maker signs it, and the lead's people download the signed document from the
project page; axe-core (WCAG 2.1 A/AA) finds nothing on any of these pages, and they read at 320 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi.decisions.models import ProjectDecision
from kuntadigi.projects.models import FundedProject, Settlement
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as
from tests.integration import decisions_support
from tests.integration import settlement_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def project(site) -> tuple:
    world = decisions_support.build_world()
    funded = support.funded(world)
    lead, partner = support.organisations(funded)
    support.approved_request(
        world,
        funded,
        [(lead, "staff", Decimal("10000.00"), Decimal("10000.00"), ""), (partner, "travel", Decimal("2000.00"), Decimal("1500.00"), "Taxi rides.")],
        is_final=True,
    )
    support.paid(world, funded, Decimal("5000.00"))
    return world, funded


def test_prepare_sign_and_download_the_settlement_decision(nojs_page, site, project):
    world, funded = project
    page = nojs_page
    sign_in_as(page, site, world.preparer)
    check_page(page, site.reverse("settlement:prepare", funded.pk, lang="en"))
    expect(page.locator("#final-grant")).to_have_text("9 775 €".replace(" ", "\u00a0"))
    page.get_by_label("Presenting official", exact=True).select_option(label="Suvi Savolainen")
    page.get_by_label("Title of the presenting official").fill("konsultativ tjänsteman")
    page.get_by_label("Decision-maker", exact=True).select_option(label="Anne-Marie Välikangas")
    page.get_by_label("Title of the decision-maker").fill("finansråd")
    page.get_by_label("Diary number (Dnro)").fill("VN/1234/2020")
    page.get_by_role("button", name="Save the draft decision").click()
    expect(page.locator("h1")).to_contain_text("Preview of the draft decision")
    expect(page.locator(".decision-paper")).to_contain_text("Borgå stad")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    decision = ProjectDecision.objects.get(project=funded, kind="settlement")

    sign_in_as(page, site, world.decision_maker, clear=True)
    check_page(page, site.reverse("decisions:project_decision_sign", funded.pk, decision.pk, lang="sv"))
    page.get_by_role("button", name="Underteckna beslutet").click()
    expect(page.locator(".notice-success")).to_be_visible()
    assert_no_axe_violations(page)
    assert FundedProject.objects.get(pk=funded.pk).state == "settled"
    assert Settlement.objects.get(project=funded).balance == Decimal("4775.00")

    sign_in_as(page, site, world.lead_user, clear=True)
    check_page(page, site.reverse("projects:detail", funded.pk, lang="sv"))
    expect(page.locator("#settlement")).to_have_text("Slutredovisning")
    link = page.get_by_role("link", name="Ladda ner beslutet om slutredovisning (PDF)")
    response = page.request.get(site(link.get_attribute("href")))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
