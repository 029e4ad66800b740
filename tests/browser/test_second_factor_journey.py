"""An official's second factor in Chromium: enrol an authenticator app, sign out, sign in with the
password and the app's code, sign a decision (the second factor is asked again after ten minutes),
and use a recovery code once (and not twice). axe-core finds no violation on any of the new pages."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.utils import translation
from django_otp.oath import TOTP

from kuntadigi import clock
from kuntadigi.decisions import services_decisions as decision_services
from kuntadigi.decisions.models import Decision
from tests import mfa_support
from tests.browser.helpers import SIGNING_TIMEOUT, assert_no_axe_violations
from tests.integration import decisions_support as support

pytestmark = [pytest.mark.browser, pytest.mark.second_factor]

PASSWORD = "an-officials-long-password-2020"


@pytest.fixture
def world(transactional_db, site):
    with translation.override("en"):
        built = support.build_world()
    app = built.apps["sv"]
    data = decision_services.defaults_for(app, built.preparer)
    data.presenter_id, data.presenter_title = built.presenter.pk, "neuvotteleva virkamies"
    data.decision_maker_id, data.decision_maker_title = built.decision_maker.pk, "finanssineuvos"
    decision_services.prepare_decision(built.preparer, app.pk, data)
    built.decision_maker.set_password(PASSWORD)
    built.decision_maker.save()
    return built


def checked(page, *, status_400: bool = False) -> None:
    """One h1, no axe-core violation, no console error (CSP included). A form sent back with an error
    answers 400, which Chromium logs as the page's own failed load: that one line is expected."""
    assert page.locator("h1").count() == 1, page.url
    assert_no_axe_violations(page)
    errors = [e for e in page.console_errors if not (status_400 and "status of 400" in e)]
    assert errors == [], errors


def submit(page, selector: str, *, timeout: float | None = None) -> None:
    with page.expect_navigation(timeout=timeout):
        page.locator(selector).first.click(timeout=timeout)


def sign_in_with_password(page, site, email: str) -> None:
    page.goto(site.reverse("accounts:sign_in"))
    page.fill("#id_pw-email", email)
    page.fill("#id_pw-password", PASSWORD)
    submit(page, "form[action$='/sign-in/'] button[type=submit]")


def sign_out(page) -> None:
    submit(page, "form[action$='/sign-out/'] button[type=submit]")


def give(page, typed: str) -> None:
    page.fill("#id_code", typed)
    submit(page, "form[action$='/second-factor/'] button[type=submit]")


def test_an_official_enrols_signs_in_with_a_code_signs_a_decision_and_uses_a_recovery_code_once(page, site, world):
    maker = world.decision_maker
    app = world.apps["sv"]

    # 1. The first sign-in with the password leads to enrolment: a QR code and the same key as text.
    sign_in_with_password(page, site, maker.email)
    assert "/second-factor/app/" in page.url
    checked(page)
    assert page.locator("img.qr-code").get_attribute("src").startswith("data:image/png;base64,")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))  # what a person types into the app
    page.fill("#id_code", f"{TOTP(key).token():06d}")
    submit(page, "form[action$='/second-factor/app/'] button[type=submit]")

    # 2. The recovery codes, shown once.
    assert "/second-factor/recovery-codes/" in page.url
    checked(page)
    codes = re.findall(r"\b[a-z2-7]{8}\b", page.locator("ul.recovery-codes").inner_text())
    assert len(codes) == 10
    submit(page, "main a.button")
    sign_out(page)

    # 3. Password, then the app's code.
    sign_in_with_password(page, site, maker.email)
    assert page.url.endswith("/second-factor/")
    checked(page)
    give(page, mfa_support.code_for(maker.email))
    assert "/second-factor/" not in page.url
    # The account page shows the second factor, the recovery codes left and "sign out everywhere"; the
    # passkey script (a static file, its configuration in a hidden element) runs under the CSP without error.
    page.goto(site.reverse("accounts:account"))
    checked(page)
    assert "10" in page.locator("#second-factor-heading + p, section[aria-labelledby=second-factor-heading]").first.inner_text()
    page.wait_for_selector("#passkey-register-button")  # Chromium can make passkeys: the script put the button in
    checked(page)

    # 4. Signing a decision: within ten minutes of the code no new question; after that the code again,
    # and back to the signing page.
    sign_url = site.reverse("decisions:decision_sign", app.pk)
    page.goto(sign_url)
    assert page.url == sign_url
    clock.set_now(clock.now() + timedelta(minutes=11))
    page.goto(sign_url)
    assert "/second-factor/" in page.url and "step_up=1" in page.url
    checked(page)
    assert page.locator("h1").inner_text() in {"Vahvista henkilöllisyytesi", "Confirm it is you"}
    give(page, mfa_support.code_for(maker.email))
    assert page.url == sign_url
    submit(page, "main form button[type=submit]", timeout=SIGNING_TIMEOUT)
    assert Decision.objects.get(application=app).state == "signed"
    sign_out(page)

    # 5. A recovery code works once ...
    sign_in_with_password(page, site, maker.email)
    give(page, codes[0])
    assert "/second-factor/" not in page.url
    checked(page)
    sign_out(page)

    # ... and not twice.
    sign_in_with_password(page, site, maker.email)
    give(page, codes[0])
    assert page.url.endswith("/second-factor/")
    assert page.locator(".error-summary").count() == 1
    checked(page, status_400=True)
