"""Partners are told and answer, in Chromium, with the e-mail going through a real SMTP server.

The lead adds Sipoo and Loviisa as partners on the partners page. Each partner's staff get an e-mail
saying who added them, to what and by when. Sipoo's person follows the link, signs in with a sign-in
link (the second e-mail), lands on the confirmation page and confirms. Loviisa's person, who reads
Swedish, signs in, lands on "my applications" where "Bekräftelse behövs" comes first, and declines
with a reason. The lead is told by e-mail and sees the decline and its reason on the partners page.
axe-core checks the landing page and the decline form in Finnish and Swedish.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from kuntadigi import clock
from kuntadigi.applications import drafting
from kuntadigi.applications.models import Participant
from kuntadigi.registry.models import Organisation
from tests import factories
from tests.browser.helpers import assert_no_axe_violations, assert_reads_at_320px, extract_link

pytestmark = pytest.mark.browser

PASSWORD = "a-long-demo-password-2020"
REASON = "Vi har inga resurser för projektet i år."


class Person:
    """One person's browser, in one language."""

    def __init__(self, browser, site, lang: str):
        self.context = browser.new_context(locale={"fi": "fi-FI", "sv": "sv-FI"}[lang], viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.site, self.lang = site, lang

    def go(self, name: str, *args, lang: str | None = None, query: str = "") -> None:
        self.page.goto(self.site.reverse(name, *args, lang=lang or self.lang) + query)

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def sign_in_with_password(self, email: str) -> None:
        self.go("accounts:sign_in")
        self.page.fill("#id_pw-email", email)
        self.page.fill("#id_pw-password", PASSWORD)
        self.click("form[action$='/sign-in/'] button[type=submit]")

    def close(self) -> None:
        assert not self.errors, f"browser console errors: {self.errors}"
        self.context.close()


def _org(code: str) -> Organisation:
    return Organisation.objects.get(municipality_code=code)


@pytest.fixture
def world(transactional_db, reference_data, site, mailbox):
    call_command("load_calls", verbosity=0)
    clock.set_now(factories.DURING_2020)
    from kuntadigi.calls.models import Call

    lead = factories.member(_org("638"), "hanna@porvoo.example.fi", password=PASSWORD, full_name="Hanna Hankkija")
    application = drafting.start_application(lead, Call.objects.get(slug="digi-2020"), _org("638"), "fi")
    drafting.save_draft(lead, application, {"project_name": "Avoin kokous"}, application.version)
    return {
        "lead": lead,
        "application": application,
        "sipoo": factories.member(_org("753"), "sanna@sipoo.example.fi", language="fi"),
        "loviisa": factories.member(_org("434"), "linnea@lovisa.example.fi", password=PASSWORD, language="sv"),
    }


def test_partners_are_told_one_confirms_and_one_declines(browser, site, mailbox, world):
    application = world["application"]

    # 1. The lead signs in, lands on "my applications", and adds two partners with the picker.
    lead = Person(browser, site, "fi")
    lead.sign_in_with_password(world["lead"].email)
    assert lead.path() == "/fi/applications/"
    lead.go("applications:partners", application.pk)
    for typed in ("753", "Loviisa"):
        lead.page.fill("#id_organisation", typed)
        lead.click("form:has(#id_organisation) button[type=submit]")
    assert application.participants.filter(role=Participant.Role.PARTNER).count() == 2

    # 2. Each partner's staff get the e-mail: who added them, to what, by when, and the link.
    sipoo_mail = mailbox.wait_for_mail(world["sipoo"].email)
    assert sipoo_mail.subject.strip() == f"Vahvistus tarvitaan: Sipoo osatoteuttajana hakemuksessa {application.reference}"
    assert "Porvoo on lisännyt organisaation Sipoo osatoteuttajaksi" in sipoo_mail.body
    assert "Lisääjä: Hanna Hankkija" in sipoo_mail.body and "Avoin kokous" in sipoo_mail.body
    assert "Hakuaika päättyy: 5.10.2020 klo 16.15" in sipoo_mail.body
    loviisa_mail = mailbox.wait_for_mail(world["loviisa"].email)
    assert loviisa_mail.subject.strip() == f"Bekräftelse behövs: Lovisa som delgenomförare i ansökan {application.reference}"
    assert "Ansökningstiden går ut: 5.10.2020 kl. 16.15" in loviisa_mail.body

    # 3. Sipoo follows the link, signs in with a sign-in link sent by e-mail, and confirms.
    sipoo = Person(browser, site, "fi")
    sipoo.page.goto(extract_link(sipoo_mail.body, "/confirm/"))
    assert "/sign-in/" in sipoo.path()
    sipoo.page.fill("#id_link-email", world["sipoo"].email)
    sipoo.click("form[action$='/sign-in/link/'] button[type=submit]")
    sign_in = mailbox.wait_for_mail(world["sipoo"].email)
    sipoo.page.goto(extract_link(sign_in.body, "/sign-in/link/"))
    sipoo.click("main form button[type=submit]")
    assert sipoo.path().endswith(f"/applications/{application.pk}/confirm/")
    assert_no_axe_violations(sipoo.page)  # the confirmation page with its decline form, in Finnish
    sipoo.page.fill("#id_authorised_name", "Sari Johtaja")
    sipoo.page.fill("#id_authorised_title", "kunnanjohtaja")
    sipoo.click("form[action$='/confirm/'] button[type=submit]")
    sipoo.close()
    assert Participant.objects.get(application=application, organisation__municipality_code="753").confirmed_at

    # 4. Loviisa's person signs in and lands on what waits for them, first on the page.
    loviisa = Person(browser, site, "sv")
    loviisa.sign_in_with_password(world["loviisa"].email)
    assert loviisa.path() == "/sv/applications/"
    waiting = loviisa.page.locator("#waiting")
    assert "Bekräftelse behövs:" in waiting.inner_text()
    assert_no_axe_violations(loviisa.page)
    assert_reads_at_320px(loviisa.page)
    loviisa.go("applications:mine", lang="fi")
    assert "Vahvistus tarvitaan:" in loviisa.page.locator("#waiting").inner_text()
    assert_no_axe_violations(loviisa.page)
    loviisa.go("applications:mine")
    loviisa.click("#waiting a[href*='/confirm/']")

    # 5. ... and declines: first without a reason (the form says what is missing), then with one.
    assert "Deltar din organisation inte?" in loviisa.page.locator("main").inner_text()
    assert_no_axe_violations(loviisa.page)
    loviisa.click("form[action$='/decline/'] button[type=submit]")
    assert loviisa.page.locator("#id_decline_reason_error").count() == 1
    assert loviisa.errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]  # the refused form's status
    loviisa.errors.clear()
    assert_no_axe_violations(loviisa.page)  # the decline form with its error, in Swedish
    loviisa.go("applications:confirm", application.pk, lang="fi")
    assert_no_axe_violations(loviisa.page)  # and in Finnish
    loviisa.page.fill("#id_decline_reason", REASON)
    loviisa.click("form[action$='/decline/'] button[type=submit]")
    assert loviisa.path() == "/fi/applications/"
    assert "Vahvistus tarvitaan:" not in loviisa.page.locator("#waiting").inner_text()
    loviisa.close()

    # 6. The lead is told by e-mail and sees the decline and the reason on the partners page.
    told = mailbox.wait_for_mail(world["lead"].email, subject="Loviisa ei osallistu")
    assert f"Perustelu: {REASON}" in told.body
    lead.page.goto(extract_link(told.body, "/partners/"))
    row = lead.page.locator("#partners tr", has_text="Loviisa")
    assert "Ei osallistu" in row.inner_text() and REASON in row.inner_text()
    assert "Vahvistettu" in lead.page.locator("#partners tr", has_text="Sipoo").inner_text()
    assert_no_axe_violations(lead.page)
    lead.close()
