"""The ranking and allocation pages in a real browser: axe-core (WCAG 2.1 A/AA) finds nothing, they read at
320 px, and the preparer fills the appropriation and finalises with plain forms (no JavaScript)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.decisions.models import Allocation, Proposal
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, check_page, sign_in_as
from tests.integration import ranking_support as data

pytestmark = pytest.mark.browser


@pytest.fixture
def ranked(site):
    clock.set_now(factories.CLOSES_2020 + (factories.CLOSES_2020 - factories.OPENS_2020) / 10)
    call = factories.call("digi-2020", appropriation=Decimal("30000.00"))
    preparer = data.role(call, "preparer")
    assessor, assessor2 = data.role(call, "assessor"), data.role(call, "assessor")
    apps = []
    for amount, value, name in (("20000.00", 5, "Avoin kunta"), ("15000.00", 4, "Sähköiset kokoukset yhdessä"), ("10000.00", 3, "Etätyön malli")):
        app = data.application(call, requested=amount, project=name)
        data.score(app, assessor, value)
        data.score(app, assessor2, 1 if value == 4 else value)  # the second one is flagged
        apps.append(app)
    return call, preparer, apps


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_ranking_pages_are_accessible(page, site, ranked, lang):
    call, preparer, apps = ranked
    sign_in_as(page, site, preparer)
    Proposal.objects.create(application=apps[1], amount=Decimal("5000.00"), reason="Osittain.", proposed_by=preparer)

    check_page(page, site.reverse("decisions:ranking", call.slug, lang=lang))
    # 20 000 € and the proposed 5 000 € fit; 10 000 € more would exceed 30 000 €: the line falls before the third
    expect(page.locator("#allocation-line")).to_have_count(1)
    check_page(page, site.reverse("decisions:ranking_fill", call.slug, lang=lang))
    check_page(page, site.reverse("decisions:ranking_proposal", call.slug, apps[1].pk, lang=lang))


def test_the_preparer_fills_and_finalises_without_javascript(nojs_page, site, ranked):
    page = nojs_page
    call, preparer, apps = ranked
    sign_in_as(page, site, preparer)

    page.goto(site.reverse("decisions:ranking", call.slug, lang="en"))
    page.get_by_role("link", name="Fill the appropriation in rank order").click()
    expect(page.locator("h1")).to_have_text("Fill the appropriation in rank order")
    page.get_by_role("button", name="Apply this plan").click()
    expect(page.locator(".notice-success")).to_contain_text("Funded: 2; not funded: 1")
    assert [Proposal.objects.get(application=app).amount for app in apps] == [Decimal("20000.00"), Decimal("0.00"), Decimal("10000.00")]

    page.get_by_role("link", name=apps[1].reference).click()
    page.get_by_label("Proposed amount (EUR)").fill("0")
    page.get_by_role("button", name="Save the proposed amount").click()
    expect(page.locator(".notice-success")).to_contain_text(apps[1].reference)

    page.get_by_role("button", name="Finalise the allocation").click()
    expect(page.locator(".notice-success").first).to_contain_text("The allocation was finalised")
    assert Allocation.objects.get(call=call).total == Decimal("30000.00")
    assert_no_axe_violations(page)
