"""The final report in a real browser, without JavaScript: the lead uploads the auditor's confirmation, fills
in the report (a missing summary first: its error in the summary at the top) and submits it; the call's
preparer asks for a supplement in the financial review; the lead gets the e-mail, supplements and submits
again; the preparer sees the change between the versions and passes both reviews. axe-core (WCAG 2.1 A/AA)
finds nothing on any page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kuntadigi import clock
from kuntadigi.projects.models import FundedProject
from kuntadigi.reports.models import Report
from tests.browser.helpers import assert_no_axe_violations, check_page, extract_link, path_of, sign_in_as
from tests.integration import decisions_support
from tests.integration import reports_support as support
from tests.integration.drafting_support import MINIMAL_PDF

pytestmark = pytest.mark.browser


@pytest.fixture
def project(site, mailbox):
    world = decisions_support.build_world()
    funded = support.running_project(world)
    support.final_payment_request(funded, world.lead_user)
    clock.set_now(support.AFTER_THE_PERIOD)
    return world, funded


def review_section(page, part: str):
    return page.locator("section", has=page.locator(f"#review-{part}"))


def test_the_final_report_from_the_lead_to_both_reviews_with_a_supplement(nojs_page, site, project, mailbox):
    world, funded = project
    report = support.final_report(funded)
    page = nojs_page

    # The lead finds the report on the project page.
    sign_in_as(page, site, world.lead_user)
    check_page(page, site.reverse("projects:detail", funded.pk, lang="fi"))
    expect(page.locator("#reports ~ table")).to_contain_text("28.2.2023")
    page.get_by_role("link", name="Loppuraportti").click()
    expect(page.locator("h1")).to_contain_text("Loppuraportti")
    assert_no_axe_violations(page)

    # The confirmation of the auditor, then the texts; the summary is forgotten at first.
    page.set_input_files("#id_file", files=[{"name": "Tilintarkastajan-vahvistus.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}])
    page.get_by_role("button", name="Lataa vahvistus").click()
    expect(page.locator(".notice-success")).to_contain_text("Tilintarkastajan-vahvistus.pdf")
    page.get_by_label("Asukkaille tai henkilöstölle saavutettu parannus").fill("Asukkaat asioivat verkossa ympäri vuorokauden.")
    page.get_by_label("Miten toimintatavat muuttuivat").fill("Hakemukset käsitellään yhteisessä järjestelmässä.")
    page.get_by_label("Miten tuloksia levitettiin muihin kuntiin").fill("Malli esiteltiin kahdelletoista kunnalle.")
    page.get_by_label("Mikä jatkuu hankkeen jälkeen").fill("Porvoo ylläpitää järjestelmää.")
    page.get_by_label("Mittari 1: nimi").fill("Verkkoasioinnin osuus (%)")
    page.get_by_label("Mittari 1: suunniteltu").fill("60")
    page.get_by_label("Mittari 1: toteutunut").fill("72")
    page.get_by_role("button", name="Lähetä raportti").click()
    expect(page.locator(".error-summary")).to_contain_text("Kirjoita julkinen tiivistelmä suomeksi tai ruotsiksi.")
    expect(page.get_by_label("Mikä jatkuu hankkeen jälkeen")).to_have_value("Porvoo ylläpitää järjestelmää.")
    assert_no_axe_violations(page)
    assert Report.objects.get(pk=report.pk).content["continuation"] == "Porvoo ylläpitää järjestelmää."  # the draft was kept
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]  # the refused form's answer
    page.console_errors.clear()

    page.get_by_label("Julkinen tiivistelmä suomeksi").fill("Asukkaat asioivat verkossa ympäri vuorokauden.")
    page.get_by_role("button", name="Lähetä raportti").click()
    expect(page.locator(".notice-success")).to_contain_text("Raportti lähetettiin.")
    assert_no_axe_violations(page)
    assert FundedProject.objects.get(pk=funded.pk).state == "final_report_submitted"
    mailbox.wait_for_mail(world.preparer.email)

    # The preparer asks for a supplement in the financial review.
    sign_in_as(page, site, world.preparer, clear=True)
    check_page(page, site.reverse("reports:review", report.pk, lang="fi"))
    financial = review_section(page, "financial")
    financial.get_by_label("Pyydä täydennystä").check()
    financial.get_by_label("Mitä pitää täydentää").fill("Kerro, kuka ylläpidon maksaa.")
    financial.get_by_label("Täydennettävä viimeistään").fill("15.12.2022")
    financial.get_by_role("button", name="Kirjaa tarkastus").click()
    expect(page.locator(".notice-success")).to_contain_text("Täydennystä pyydettiin.")
    assert_no_axe_violations(page)
    assert FundedProject.objects.get(pk=funded.pk).state == "running"

    # The lead follows the link in the e-mail and supplements.
    mail = mailbox.wait_for_mail(world.lead_user.email, subject="Komplettering av rapporten begärs")  # in the application's language
    link = path_of(extract_link(mail.body, "/reports/"))
    sign_in_as(page, site, world.lead_user, clear=True)
    page.goto(site(link.replace("/sv/", "/fi/")))
    expect(page.locator("#supplement-title + p")).to_contain_text("Kerro, kuka ylläpidon maksaa.")
    assert_no_axe_violations(page)
    page.get_by_label("Mikä jatkuu hankkeen jälkeen").fill("Porvoo ylläpitää järjestelmää ja maksaa sen.")
    page.get_by_role("button", name="Lähetä täydennetty raportti").click()
    expect(page.locator(".notice-success")).to_contain_text("Raportti lähetettiin.")

    # The preparer sees the change and passes both reviews.
    sign_in_as(page, site, world.preparer, clear=True)
    check_page(page, site.reverse("reports:versions", report.pk, lang="fi") + "?a=1&b=2")
    expect(page.locator("ins").first).to_contain_text("ja maksaa sen")
    page.goto(site.reverse("reports:review", report.pk, lang="fi"))
    for part in ("substantive", "financial"):
        section = review_section(page, part)
        section.get_by_label("Hyväksytty").check()
        section.get_by_role("button", name="Kirjaa tarkastus").click()
        expect(page.locator(".notice-success")).to_contain_text("Tarkastus kirjattiin hyväksytyksi.")
    expect(page.locator("#report-facts + .facts")).to_contain_text("Tilahyväksytty")
    assert_no_axe_violations(page)
    report.refresh_from_db()
    assert report.state == "approved" and report.versions.count() == 2
    assert FundedProject.objects.get(pk=funded.pk).state == "under_review"


def test_the_partner_reads_the_report_in_swedish(page, site, project):
    world, funded = project
    sign_in_as(page, site, world.partner_user)
    check_page(page, site.reverse("reports:report", support.final_report(funded).pk, lang="sv"))
    expect(page.locator("h1")).to_contain_text("Slutrapport")
    expect(page.locator("textarea")).to_have_count(0)
