"""A funded project's public page in a real browser, without JavaScript, in Finnish and Swedish: its status,
the amount paid and the approved final report's public summary in the page's language; a refused grant
shows as refused, with no amount paid. Every page passes axe-core (WCAG 2.1 A and AA) and reads at 320 px."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi.core import formats
from kuntadigi.projects.lifecycle import State
from kuntadigi.reports.lifecycle import State as ReportState
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px
from tests.integration import followup_support as follow
from tests.integration.publication_support import published_world

pytestmark = pytest.mark.browser


@pytest.fixture
def results(site):
    world = published_world(2, n_rejected=0)
    running = follow.project_for(world.decisions[0], state=State.RUNNING)
    follow.payment(running, "4250.00", by=world.preparer)
    follow.report(running, running.costs_until, state=ReportState.APPROVED, content=follow.summary_content(follow.SUMMARY))
    refused = follow.project_for(world.decisions[1])
    follow.set_state(refused, State.REFUSED, refusal_reason="Ei omarahoitusta")
    return world


def check(page) -> None:
    expect(page.locator("h1")).to_have_count(1)
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    assert page.console_errors == [], f"console errors on {page.url}: {page.console_errors}"


@pytest.mark.parametrize(("lang", "running", "refused"), [("fi", "Käynnissä", "Saaja kieltäytyi"), ("sv", "Pågår", "Mottagaren avböjde")])
def test_the_public_project_page_shows_status_paid_and_summary(nojs_page, site, results, lang, running, refused):
    page = nojs_page
    page.goto(site.reverse("publication:project", results.funded[0].reference, lang=lang))
    expect(page.locator("#project-status")).to_have_text(running)
    expect(page.locator("#project-paid")).to_have_text(formats.money(Decimal("4250.00"), lang))
    expect(page.locator("#final-summary")).to_have_text(follow.SUMMARY[lang])
    expect(page.locator("#final-summary")).to_have_attribute("lang", lang)
    check(page)

    page.goto(site.reverse("publication:project", results.funded[1].reference, lang=lang))
    expect(page.locator("#project-refused")).to_contain_text(refused)
    expect(page.locator("#project-paid")).to_have_text("–")
    expect(page.locator("#final-summary")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Ei omarahoitusta")
    check(page)
