"""Passkeys in Chromium, with its virtual authenticator (the DevTools WebAuthn domain) standing in for a
phone or a security key: an official adds a passkey on the account page, signs out, signs in with the
password and then the passkey alone. The ceremony is django-otp-webauthn's (py_webauthn)."""

from __future__ import annotations

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from kuntadigi.audit.models import AuditEvent
from tests import factories, mfa_support
from tests.browser.helpers import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.second_factor]

PASSWORD = "an-officials-long-password-2020"


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def sign_in_with_password(page, site, email: str) -> None:
    page.goto(site.reverse("accounts:sign_in"))
    page.fill("#id_pw-email", email)
    page.fill("#id_pw-password", PASSWORD)
    submit(page, "form[action$='/sign-in/'] button[type=submit]")


def test_an_official_adds_a_passkey_and_signs_in_with_it(page, site, transactional_db):
    official = factories.user("virkailija@vm.example.fi", password=PASSWORD, official=True)
    mfa_support.app_for(official)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True, "isUserVerified": True}},
    )

    sign_in_with_password(page, site, official.email)
    page.fill("#id_code", mfa_support.code_for(official.email))
    submit(page, "form[action$='/second-factor/'] button[type=submit]")
    page.goto(site.reverse("accounts:account"))
    page.locator("#passkey-register-button").click()
    # The ceremony runs in the page's script: wait for the stored credential and for its audit event, which
    # the live server writes after the credential in a transaction of its own (on a busy machine, or with
    # another test worker beside, the test saw the credential before the event).
    added = AuditEvent.objects.filter(actor=official, action="mfa.device_added", after={"kind": "passkey"})
    for _ in range(300):
        if WebAuthnCredential.objects.filter(user=official, confirmed=True).exists() and added.exists():
            break
        page.wait_for_timeout(100)
    assert WebAuthnCredential.objects.filter(user=official, confirmed=True).count() == 1, page.locator("#passkey-register-status-message").inner_text()
    assert added.count() == 1
    submit(page, "form[action$='/sign-out/'] button[type=submit]")

    sign_in_with_password(page, site, official.email)
    assert page.url.endswith("/second-factor/")
    page.wait_for_selector("#passkey-verification-button")
    assert_no_axe_violations(page)
    with page.expect_navigation():
        page.locator("#passkey-verification-button").click()
    assert "/second-factor/" not in page.url
    assert page.goto(site.reverse("applications:official_calls")).status == 200
    assert AuditEvent.objects.filter(actor=official, action="mfa.verified", after__method="passkey").count() == 1
    assert page.console_errors == [], page.console_errors
