"""The funded project in a real browser, without JavaScript: the lead's administrator accepts the grant,
then gives the account, a wrong IBAN first (its error on the field, in Finnish and in Swedish) and then
the right one; axe-core (WCAG 2.1 A/AA) finds nothing on the pages in fi and sv, and they read at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntadigi.projects.models import FundedProject
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, check_page, sign_in_as
from tests.integration import decisions_support
from tests.integration import projects_support as support

pytestmark = pytest.mark.browser


@pytest.fixture
def project(site) -> tuple:
    world = decisions_support.build_world()
    return world, support.sign_grant(world)


def test_the_lead_accepts_the_grant_and_gives_the_account_a_wrong_iban_first(nojs_page, site, project):
    world, funded = project
    page = nojs_page
    sign_in_as(page, site, world.lead_user)

    # Finnish: the project page, accepting, and a wrong IBAN.
    check_page(page, site.reverse("projects:detail", funded.pk, lang="fi"))
    expect(page.locator("#to-do + ul")).to_contain_text("Ota avustus vastaan tai kieltäydy siitä viimeistään 10.1.2021.")
    expect(page.locator(".facts").first).to_contain_text("12 750,00 €")
    page.get_by_role("button", name="Ota avustus vastaan").click()
    expect(page.locator(".notice-success")).to_contain_text("Otit avustuksen ja sen ehdot vastaan.")
    expect(page.locator("#terms ~ p").first).to_contain_text("otti avustuksen vastaan 11.12.2020 klo 10.00")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ilmoita tili").click()
    expect(page.locator("h1")).to_have_text("Maksatustili")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    page.get_by_label("IBAN-tilinumero").fill(support.IBAN_WRONG_CHECKSUM)
    page.get_by_label("BIC-tunnus").fill(support.BIC)
    page.get_by_role("button", name="Tallenna tili").click()
    expect(page.locator("#id_iban_error")).to_contain_text("IBAN-tilinumeron tarkisteet eivät täsmää: tarkista numero.")
    expect(page.locator(".error-summary")).to_contain_text("IBAN-tilinumeron tarkisteet eivät täsmää")
    assert_no_axe_violations(page)
    assert FundedProject.objects.get(pk=funded.pk).iban == ""

    # Swedish: the same form, the wrong IBAN again, then the right one.
    page.goto(site.reverse("projects:account", funded.pk, lang="sv"))
    page.get_by_label("IBAN-kontonummer").fill(support.IBAN_WRONG_CHECKSUM)
    page.get_by_label("BIC-kod").fill(support.BIC)
    page.get_by_role("button", name="Spara kontot").click()
    expect(page.locator("#id_iban_error")).to_contain_text("IBAN-kontonumrets kontrollsiffror stämmer inte: kontrollera numret.")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    page.get_by_label("IBAN-kontonummer").fill(support.IBAN)
    page.get_by_role("button", name="Spara kontot").click()

    expect(page.locator(".notice-success")).to_contain_text("Kontot sparades. Understödet betalas till det.")
    expect(page.locator("#account + .facts")).to_contain_text("FI21 1234 5600 0007 85")
    assert_no_axe_violations(page)
    assert_reads_at_320px(page)
    saved = FundedProject.objects.get(pk=funded.pk)
    assert (saved.state, saved.iban, saved.bic) == ("accepted", "FI2112345600000785", "NDEAFIHH")


def test_the_partner_reads_the_project_in_swedish(page, site, project):
    world, funded = project
    sign_in_as(page, site, world.partner_user)
    check_page(page, site.reverse("projects:detail", funded.pk, lang="sv"))
    expect(page.locator("h1")).to_have_text("Öppen kommun")
    expect(page.locator("#agreement ~ p").nth(1)).to_contain_text("Avtalet har ännu inte laddats upp.")
