"""The lead's payment request in a real browser, without JavaScript: from the project page the lead starts
a request with a wrong period first (its error on the field), adds a cost with a wrong amount first (the
error on the field, the description kept), attaches the ledger extract and submits the request; the
estimate is shown before. axe-core (WCAG 2.1 A/AA) finds nothing on any of the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kuntadigi.payments.models import CostLine, PaymentRequest
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as
from tests.integration import decisions_support
from tests.integration import payreq_support as support
from tests.integration.drafting_support import MINIMAL_PDF

pytestmark = pytest.mark.browser


@pytest.fixture
def project(site):
    world = decisions_support.build_world()
    return world, support.running_project(world)


def test_the_lead_makes_and_submits_a_payment_request_with_a_wrong_input_first(nojs_page, site, project, tmp_path):
    world, funded = project
    page = nojs_page
    sign_in_as(page, site, world.lead_user)

    check_page(page, site.reverse("projects:detail", funded.pk, lang="fi"))
    expect(page.locator("#payment-requests ~ p").first).to_contain_text("Loppumaksatushakemus tehdään loppuraportin kanssa viimeistään 28.2.2023.")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Tee maksatushakemus").click()

    # The period: its end before its start first.
    expect(page.locator("h1")).to_have_text("Uusi maksatushakemus")
    assert_no_axe_violations(page)
    page.get_by_label("Kustannukset alkaen").fill("2021-06-30")
    page.get_by_label("Kustannukset päättyen").fill("2021-01-01")
    page.get_by_role("button", name="Aloita maksatushakemus").click()
    expect(page.locator("#id_period_end_error")).to_contain_text("Kausi ei voi päättyä ennen kuin se alkaa.")
    expect(page.locator(".error-summary")).to_contain_text("Kausi ei voi päättyä ennen kuin se alkaa.")
    assert_no_axe_violations(page)
    assert not PaymentRequest.objects.exists()
    page.get_by_label("Kustannukset alkaen").fill("2021-01-01")
    page.get_by_label("Kustannukset päättyen").fill("2021-06-30")
    page.get_by_role("button", name="Aloita maksatushakemus").click()

    # The request page: a cost with a wrong amount first.
    expect(page.locator("h1")).to_have_text("Maksatushakemus 1")
    expect(page.locator(".notice-success")).to_contain_text("Maksatushakemus 1 aloitettiin.")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    cost = page.locator("form[action$='/lines/']")
    cost.get_by_label("Organisaatio").select_option(label="Porvoo")
    cost.get_by_label("Kustannuslaji").select_option(value=str(support.category(funded, "staff").pk))
    cost.get_by_label("Kuvaus").fill("Projektipäällikön palkka 1–6/2021")
    cost.get_by_label("Summa ilman alv:tä (EUR)").fill("kolmetuhatta")
    cost.get_by_role("button", name="Lisää kustannus").click()
    expect(page.locator("#id_amount_error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_label("Kuvaus")).to_have_value("Projektipäällikön palkka 1–6/2021")
    assert_no_axe_violations(page)
    assert not CostLine.objects.exists()
    page.get_by_label("Summa ilman alv:tä (EUR)").fill("3 000,50")
    page.get_by_role("button", name="Lisää kustannus").click()
    expect(page.locator(".notice-success")).to_contain_text("Kustannus lisättiin.")
    expect(page.locator("#submit ~ ul")).to_contain_text("Liitä organisaation Porvoo pääkirjaote.")
    expect(page.locator("#estimate")).to_contain_text("enintään 2\u00a0550,42\u00a0€, jos kaikki kustannukset hyväksytään")
    assert_no_axe_violations(page)

    # The ledger extract, then submitting.
    extract = tmp_path / "paakirjaote.pdf"
    extract.write_bytes(MINIMAL_PDF)
    ledger = page.locator("form[action$='/ledger/']")
    ledger.get_by_label("Organisaatio").select_option(label="Porvoo")
    ledger.get_by_label("Pääkirjaote").set_input_files(str(extract))
    ledger.get_by_role("button", name="Liitä pääkirjaote").click()
    expect(page.locator(".notice-success")).to_contain_text("paakirjaote.pdf liitettiin.")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Lähetä maksatushakemus").click()
    expect(page.locator(".notice-success")).to_contain_text("Maksatushakemus 1 lähetettiin.")
    expect(page.locator("#summary + .facts")).to_contain_text("lähetetty, tarkastettavana")
    assert_no_axe_violations(page)
    found = PaymentRequest.objects.get()
    assert (found.state, found.claimed) == ("submitted", Decimal("3000.50"))

    # (check_page would count the two 400 answers above as console errors.)
    page.goto(site.reverse("projects:detail", funded.pk, lang="fi"))
    expect(page.locator("#payment-requests ~ .table-wrap")).to_contain_text("3\u00a0000,50\u00a0€")
    assert_no_axe_violations(page)
