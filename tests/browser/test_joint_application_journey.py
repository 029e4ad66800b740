"""The whole journey of a joint application, as the people involved walk it in Chromium.

A new municipal employee asks for a sign-in link, reads it from the mail caught by a real SMTP server,
asks to join Porvoo, and an official approves. The employee starts an application in the 2020 call,
fills it in, adds Loviisa and Sipoo as partners, enters the budget and an attachment. Both partners'
staff confirm; the lead submits; the receipt page and the receipt e-mail give the same fingerprint.
The journey is walked in Finnish, Swedish and English, and axe-core checks every page visited.

Selectors are ids and form names, not visible words, so the test reads the same in every language;
what a person would notice (the receipt, the mail, the confirmations) is asserted on the pages.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from kuntadigi import clock
from kuntadigi.applications.models import Application, Submission
from kuntadigi.applications.snapshot import fingerprint
from tests import factories, mfa_support
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, extract_link

pytestmark = pytest.mark.browser

PASSWORD = "a-long-demo-password-2020"
NEWCOMER = "hanna.hankkija@porvoo.example.fi"

# The project's name as a person of each language would write it.
WORDS = {
    "fi": {"project": "Avoin kokous"},
    "sv": {"project": "Öppet möte"},
    "en": {"project": "Open meeting"},
}


class Walker:
    """One person's browser: every page it lands on is checked with axe-core."""

    def __init__(self, browser, site, lang: str):
        self.context = browser.new_context(locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[lang], viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.site = site
        self.lang = lang
        self.visited: list[str] = []

    def check(self) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.lang
        assert_no_axe_violations(self.page)
        self.visited.append(self.page.url)

    def go(self, name: str, *args) -> None:
        self.page.goto(self.site.reverse(name, *args, lang=self.lang))
        self.check()

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.check()

    def sign_in_with_password(self, email: str) -> None:
        self.go("accounts:sign_in")
        self.page.fill("#id_pw-email", email)
        self.page.fill("#id_pw-password", PASSWORD)
        self.click("form[action$='/sign-in/'] button[type=submit]")
        if "/second-factor/" in self.page.url:  # an official: the authenticator app's code, computed from its key
            self.page.fill("#id_code", mfa_support.code_for(email))
            self.click("form[action$='/second-factor/'] button[type=submit]")

    def close(self) -> None:
        assert not self.errors, f"browser console errors: {self.errors}"
        self.context.close()


@pytest.fixture
def world(transactional_db, reference_data, site, mailbox, settings):
    call_command("load_calls", verbosity=0)
    clock.set_now(factories.DURING_2020)
    porvoo_admin = factories.member(_org("638"), "admin@porvoo.example.fi", admin=True, password=PASSWORD)
    loviisa = factories.member(_org("434"), "staff@loviisa.example.fi", password=PASSWORD, language="sv")
    sipoo = factories.member(_org("753"), "staff@sipoo.example.fi", password=PASSWORD)
    official = factories.user("official@vm.example.fi", password=PASSWORD, official=True)
    mfa_support.app_for(official)  # an official signs in with a second factor
    return {"porvoo_admin": porvoo_admin, "loviisa": loviisa, "sipoo": sipoo, "official": official}


def _org(code: str):
    from kuntadigi.registry.models import Organisation

    return Organisation.objects.get(municipality_code=code)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_a_new_user_applies_jointly_and_gets_a_receipt(browser, site, mailbox, world, lang, tmp_path):
    words = WORDS[lang]

    # 1. A newcomer finds the open call and asks for a sign-in link.
    lead = Walker(browser, site, lang)
    lead.go("core:home")
    lead.go("calls:list")
    lead.go("calls:detail", "digi-2020")
    lead.click("a[href$='/calls/digi-2020/apply/']")  # the call page's "start an application" button
    assert "/sign-in/" in lead.page.url
    lead.page.fill("#id_link-email", NEWCOMER)
    lead.click("form[action$='/sign-in/link/'] button[type=submit]")
    mail = mailbox.wait_for_mail(NEWCOMER)
    link = extract_link(mail.body, "/sign-in/link/")
    lead.page.goto(link)
    lead.check()
    lead.click("main form button[type=submit]")

    # 2. A new user acts for nobody yet: asks to join Porvoo (typed as a person would, by name).
    lead.go("accounts:organisations")
    lead.page.fill("#id_organisation", "Porvoo" if lang == "fi" else "Borgå")
    lead.click("form[action$='/organisations/join/'] button[type=submit]")

    # 3. An official approves the request.
    official = Walker(browser, site, lang)
    official.sign_in_with_password(world["official"].email)
    official.go("accounts:membership_requests")
    official.click("button[name=decision][value=approve]")
    official.close()

    # 4. The newcomer starts the application for Porvoo.
    lead.go("applications:start", "digi-2020")
    lead.page.locator("input[name=lead]").first.check()
    application_language = lang if lang in ("fi", "sv") else "fi"  # decisions are written in Finnish or Swedish
    lead.page.locator(f"input[name=language][value={application_language}]").check()
    lead.click("main form button[type=submit]")
    application = Application.objects.get(created_by__email=NEWCOMER)
    assert application.language == application_language

    # 5. The project page.
    page = lead.page
    page.fill("#id_project_name", words["project"])
    page.locator("#id_target_areas input[type=checkbox]").nth(1).check()
    page.fill("#id_summary", "Yhteinen sähköinen kokous- ja päätöksentekomalli kolmelle kunnalle.")
    page.fill("#id_current_state", "Kokouksia pidetään paperilla ja paikan päällä.")
    page.fill("#id_objectives", "Kaikki toimielimet kokoontuvat sähköisesti vuoden 2022 loppuun mennessä.")
    page.fill("#id_change_in_ways_of_working", "Valmistelu, kokous ja pöytäkirja tehdään yhdessä järjestelmässä.")
    page.fill("#id_rollout_and_spread", "Malli ja ohjeet julkaistaan avoimesti muille kunnille.")
    page.fill("#id_prior_work", "Rakentuu Riihimäen avoimen kunnan kokemuksiin.")
    page.fill("#id_start_date", "2021-01-01")
    page.fill("#id_end_date", "2022-10-31")
    page.fill("#id_contact_name", "Hanna Hankkija")
    page.fill("#id_contact_email", NEWCOMER)
    page.fill("#id_signatory_name", "Kari Kunnanjohtaja")
    page.fill("#id_signatory_title", "kunnanjohtaja")
    page.locator("#id_declaration_not_excluded").check()
    lead.click("form#application-form button[type=submit], main form button[type=submit]")
    application.refresh_from_db()
    assert application.project_name == words["project"]

    # 6. Two partners, found with the picker by name and by municipality code.
    lead.go("applications:partners", application.pk)
    page.fill("#id_organisation", "Loviisa" if lang == "fi" else "Lovisa")
    lead.click("main form button[type=submit]")
    page.fill("#id_organisation", "753")
    lead.click("main form:has(#id_organisation) button[type=submit]")
    assert application.participants.count() == 3

    # 7. The budget: a line per organisation, then 85 % of the eligible costs.
    lead.go("applications:budget", application.pk)
    participants = {p.organisation.municipality_code: p.pk for p in application.participants.select_related("organisation")}
    # Amounts as each language writes them (in English a comma groups thousands, a point marks the cents).
    english = lang == "en"
    rows = [("638", "staff", "40,000.00" if english else "40 000,00"), ("434", "services", "30000"), ("753", "travel", "10 000")]
    for index, (code, category, amount) in enumerate(rows):
        page.select_option(f"#id_lines-{index}-participant", str(participants[code]))
        page.select_option(f"#id_lines-{index}-category", label=_category_label(application, category, lang))
        page.fill(f"#id_lines-{index}-description", "Projektin kulut")
        page.fill(f"#id_lines-{index}-amount", amount)
    page.fill("#id_requested_grant", "68,000.00" if english else "68 000,00")
    lead.click("form:has(#id_requested_grant) button[type=submit]")
    application.refresh_from_db()
    assert str(application.requested_grant) == "68000.00"  # 85 % of 80 000 €

    # 8. An attachment (a real PDF: the type is read from the content).
    lead.go("applications:attachments", application.pk)
    plan = tmp_path / "projektisuunnitelma.pdf"
    plan.write_bytes(_tiny_pdf())
    page.set_input_files("#id_file", str(plan))
    lead.click("form[enctype='multipart/form-data'] button[type=submit]")
    assert application.attachments.count() == 1

    # 9. Not yet: the review page lists what is missing, the partners' confirmations.
    lead.go("applications:submit", application.pk)
    assert page.locator(".error-summary a[href*='#partners']").count() >= 1

    # 10. Each partner's staff confirm, Loviisa in Swedish and Sipoo in Finnish whatever the journey's language.
    for who, partner_lang in (("loviisa", "sv"), ("sipoo", "fi")):
        partner = Walker(browser, site, partner_lang)
        partner.sign_in_with_password(world[who].email)
        partner.go("applications:mine")
        partner.go("applications:confirm", application.pk)
        partner.page.fill("#id_authorised_name", f"{who.title()} Director")
        partner.page.fill("#id_authorised_title", "kunnanjohtaja" if partner_lang == "fi" else "kommundirektör")
        partner.click("form[action$='/confirm/'] button[type=submit]")
        partner.close()
    assert all(p.confirmed_at for p in application.participants.filter(role="partner"))

    # 11. The lead submits; a double click sends one submission.
    lead.go("applications:submit", application.pk)
    assert page.locator(".error-summary").count() == 0
    with page.expect_navigation():
        page.locator("form[action$='/submit/'] button[type=submit]").dblclick()
    lead.check()
    assert Submission.objects.filter(application=application).count() == 1
    submission = Submission.objects.get(application=application)
    assert submission.fingerprint == fingerprint(submission.content)
    with translation.override(lang):
        assert gettext("Application received") in page.locator("main h1, main h2").all_inner_texts()
    # The applicant gets a receipt number and the time; the fingerprint stays in the PDF and for officials.
    main_text = page.locator("main").inner_text()
    assert submission.fingerprint not in main_text
    with translation.override(lang):
        assert gettext("Receipt number") in main_text
    assert_reads_at_320px(page)

    # 12. The receipt e-mail arrives with the receipt number, and the PDF downloads.
    with translation.override(lang):  # the receipt comes in the newcomer's language
        subject = gettext("Application received: %(reference)s") % {"reference": application.reference}
    receipt = mailbox.wait_for_mail(NEWCOMER, subject=subject)
    with translation.override(lang):
        assert f"{gettext('Receipt number')}: {submission.number}" in receipt.body
    assert submission.fingerprint not in receipt.body
    with page.expect_download() as download:
        page.locator(f"a[href$='/versions/{submission.number}/pdf/']").first.click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest()  # a real file, not an error page

    lead.close()
    assert len(lead.visited) >= 15


def _category_label(application, code: str, lang: str) -> str:
    category = application.call.cost_categories.get(code=code)
    return getattr(category, f"name_{lang}")


def _tiny_pdf() -> bytes:
    from tests.integration.drafting_support import MINIMAL_PDF

    return MINIMAL_PDF
