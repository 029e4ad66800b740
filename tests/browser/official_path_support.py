"""Support for tests/browser/test_official_path.py: the people of a closed call and their browsers.

`closed_call()` builds the world with the ORM and the real services: the 2020 call as loaded by
`load_calls`, four applications generated through the drafting and submission services, and the
officials of the call with passwords and roles. `Walker` is one person's browser in which every page
visited is checked with axe-core; it selects by ids, names and form actions, never by visible words.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.management import call_command

from kuntadigi import clock
from kuntadigi.accounts.models import User
from kuntadigi.applications.models import Application
from kuntadigi.calls.models import Call, CallRole
from kuntadigi.demo.management.commands.generate_applications import fictional_business_id
from tests import factories, mfa_support
from tests.browser.helpers import assert_no_axe_violations

PASSWORD = "an-officials-long-password-2020"

# The generator's seed: with it, one of the four applications has a Swedish-speaking lead, the others
# Finnish-speaking ones (closed_call checks it).
SEED = "24"

# The moments of the walk, Helsinki time: the call closed on 5.10.2020 at 16.15.
AFTER_DEADLINE = datetime(2020, 10, 6, 9, 0, tzinfo=factories.HKI)
SUPPLEMENT_ANSWERED = datetime(2020, 10, 8, 14, 30, tzinfo=factories.HKI)
SCREENED = datetime(2020, 10, 12, 10, 0, tzinfo=factories.HKI)
ASSESSED = datetime(2020, 10, 26, 10, 0, tzinfo=factories.HKI)
RANKED = datetime(2020, 11, 16, 10, 0, tzinfo=factories.HKI)
DECIDED = datetime(2020, 12, 11, 10, 0, tzinfo=factories.HKI)


@dataclass
class ClosedCall:
    call: Call
    preparer: User
    decision_maker: User
    assessors: list[User]
    applications: list[Application] = field(default_factory=list)

    def by_language(self, language: str) -> list[Application]:
        return [application for application in self.applications if application.language == language]


def closed_call() -> ClosedCall:
    """The real 2020 call after its deadline, with four generated, submitted applications and its officials.

    Needs the reference data (the `reference_data` fixture) and a database the live server shares.
    """
    call_command("load_calls", verbosity=0)
    call = Call.objects.get(slug="digi-2020")
    clock.set_now(factories.DURING_2020)
    call_command("generate_applications", "--call", call.slug, "--count", "4", "--seed", SEED, stdout=io.StringIO())
    clock.set_now(AFTER_DEADLINE)
    applications = list(Application.objects.filter(call=call).select_related("lead").order_by("reference"))
    assert len(applications) == 4 and all(a.state == "submitted" for a in applications), [(a.reference, a.state) for a in applications]
    languages = [a.language for a in applications]
    assert "sv" in languages and "fi" in languages, f"seed {SEED} no longer gives a Swedish and a Finnish application: {languages}"

    for application in applications:  # the leads consented to electronic notification in their applications: decisions are e-mailed
        factories.consent(application.lead)
        # ... and an official entered each lead's business ID in the registry (a grant is signed only to a
        # recipient with one); made up, of valid form.
        application.lead.business_id = fictional_business_id(application.lead.pk)
        application.lead.save(update_fields=["business_id"])
    preparer = factories.user("valmistelija@vm.example.fi", password=PASSWORD, official=True, full_name="Pirjo Valmistelija")
    decision_maker = factories.user("paattaja@vm.example.fi", password=PASSWORD, official=True, full_name="Pekka Päättäjä")
    assessors = [
        factories.user("arvioija.yksi@example.fi", password=PASSWORD, assessor=True, full_name="Aino Arvioija"),
        factories.user("arvioija.kaksi@example.fi", password=PASSWORD, assessor=True, full_name="Bertta Arvioija"),
    ]
    roles = [(preparer, "preparer"), (preparer, "presenter"), (decision_maker, "decision_maker")] + [(a, "assessor") for a in assessors]
    for person, role in roles:
        CallRole.objects.create(call=call, user=person, role=role)
    for person in (preparer, decision_maker, *assessors):  # officials sign in with a second factor: an authenticator app each
        mfa_support.app_for(person)
    return ClosedCall(call=call, preparer=preparer, decision_maker=decision_maker, assessors=assessors, applications=applications)


def lead_user(application: Application) -> User:
    """The generator's user of the lead organisation (hakija.<code>@demo.kuntadigi.fi), given a password."""
    user = User.objects.get(email=f"hakija.{application.lead.municipality_code}@demo.kuntadigi.fi")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


class Walker:
    """One person's browser context (Finnish, 1280×900): every page it lands on is checked with axe-core."""

    def __init__(self, browser, site, lang: str = "fi"):
        self.context = browser.new_context(locale={"fi": "fi-FI", "sv": "sv-FI"}[lang], viewport={"width": 1280, "height": 900}, timezone_id="Europe/Helsinki")
        self.context.set_default_timeout(15_000)
        self.context.set_default_navigation_timeout(30_000)
        self.context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.site = site
        self.lang = lang
        self.visited: list[str] = []

    def check(self) -> None:
        """The page as it is now: in the walker's language, one h1, no axe-core violation."""
        assert self.page.locator("html").get_attribute("lang") == self.lang, f"{self.page.url} is not in {self.lang}"
        assert self.page.locator("h1").count() == 1, f"{self.page.url} has {self.page.locator('h1').count()} h1 headings"
        assert_no_axe_violations(self.page)
        self.visited.append(self.page.url)

    def go(self, name: str, *args) -> None:
        response = self.page.goto(self.site.reverse(name, *args, lang=self.lang))
        assert response is not None and response.status == 200, f"{self.page.url} answered {response.status if response else None}"
        self.check()

    def click(self, selector: str, *, timeout: float | None = None) -> None:
        """Follow a link or submit a form, wait for the page it leads to and check that page. `timeout`
        (milliseconds) replaces the context's defaults for a step whose answer is slow to come."""
        target = self.page.locator(selector)
        assert target.count() >= 1, f"nothing matches {selector!r} on {self.page.url}"
        with self.page.expect_navigation(timeout=timeout) as navigation:
            target.first.click(timeout=timeout)
        response = navigation.value
        assert response is None or response.status == 200, f"{selector!r} led to {self.page.url}, which answered {response.status}"
        self.check()

    def sign_in(self, email: str) -> None:
        self.go("accounts:sign_in")
        self.page.fill("#id_pw-email", email)
        self.page.fill("#id_pw-password", PASSWORD)
        self.click("form[action$='/sign-in/'] button[type=submit]")
        assert "/sign-in/" not in self.page.url, f"{email} could not sign in"
        if "/second-factor/" in self.page.url:  # an official: the code from the authenticator app, computed from its key
            self.page.fill("#id_code", mfa_support.code_for(email))
            self.click("form[action$='/second-factor/'] button[type=submit]")
            assert "/second-factor/" not in self.page.url, f"{email} could not give the second factor"

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    def close(self) -> None:
        assert not self.errors, f"browser console errors: {self.errors}"
        self.context.close()


def pdf_text(data: bytes) -> str:
    """The text of a PDF with whitespace folded (words the layout broke across lines join with one space)."""
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)
