"""Nobody locks another person out: guessing is stopped, and the owner still gets in while an
attacker elsewhere keeps trying (issue 11, section 2)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts import throttle, throttle_rules
from tests import factories

OWNER = "owner@kunta.fi"
PASSWORD = "correct horse battery staple 42"
OWNER_ADDRESS = "203.0.113.10"
LINK_RE = re.compile(r"/fi/sign-in/link/([A-Za-z0-9_-]{40,})/")


@pytest.fixture(autouse=True)
def _clean(db, settings):
    settings.LOCALE_PATHS = []
    cache.clear()
    translation.activate("fi")
    clock.set_now(clock.parse_instant("2026-03-02T10:00:00+02:00"))
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return factories.user(OWNER, password=PASSWORD)


def password(client, email, secret, address):
    return client.post(reverse("accounts:sign_in"), {"pw-email": email, "pw-password": secret}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_guessing_from_one_address_is_stopped_even_with_the_right_password_at_the_end(owner):
    attacker = Client()
    for _ in range(throttle_rules.PASSWORD_PER_ADDRESS_AND_EMAIL.attempts):
        assert password(attacker, OWNER, "wrong guess", "198.51.100.1").status_code == 400
    refused = password(attacker, OWNER, PASSWORD, "198.51.100.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= throttle_rules.PASSWORD_PER_ADDRESS_AND_EMAIL.window
    assert "a link works even while password attempts are limited" in refused.content.decode()
    assert not signed_in(attacker)


def test_guessing_spread_over_many_addresses_is_stopped(owner):
    attacker = Client()
    for n in range(throttle_rules.PASSWORD_PER_EMAIL_UNTRUSTED.attempts):
        assert password(attacker, OWNER, f"guess {n}", f"198.51.100.{n + 1}").status_code == 400
    assert password(attacker, OWNER, PASSWORD, "192.0.2.200").status_code == 429
    assert not signed_in(attacker)


def test_the_owners_trusted_device_gets_in_while_an_attacker_keeps_guessing_from_everywhere(owner):
    laptop = Client()
    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
    cookie = laptop.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == throttle.DEVICE_COOKIE_MAX_AGE
    assert OWNER not in cookie.value  # the account is named by an HMAC, not by its address
    laptop.post(reverse("accounts:sign_out"))
    assert not signed_in(laptop)
    assert throttle.DEVICE_COOKIE in laptop.cookies  # signing out keeps the browser trusted

    attacker = Client()
    # From many addresses, and from the owner's own address (the same office network): far past every limit.
    addresses = [f"198.51.100.{n}" for n in range(1, 41)] + [OWNER_ADDRESS] * 40
    answers = {password(attacker, OWNER, "wrong guess", address).status_code for address in addresses}
    assert answers == {400, 429}
    assert password(attacker, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 429

    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert signed_in(laptop)


def test_the_owner_on_a_new_device_gets_in_with_a_sign_in_link_while_an_attacker_keeps_guessing(owner, django_capture_on_commit_callbacks):
    attacker = Client()
    for n in range(60):
        password(attacker, OWNER, f"guess {n}", f"198.51.100.{n + 1}")
    # and floods the owner's address with links that do not work
    for n in range(40):
        attacker.post(reverse("accounts:use_link", args=[f"{n:02d}" + "x" * 41]), REMOTE_ADDR=OWNER_ADDRESS)
    assert attacker.post(reverse("accounts:use_link", args=["y" * 43]), REMOTE_ADDR=OWNER_ADDRESS).status_code == 429

    phone = Client()
    assert password(phone, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 429  # untrusted: password attempts are paused
    with django_capture_on_commit_callbacks(execute=True):
        assert phone.post(reverse("accounts:request_link"), {"link-email": OWNER}, REMOTE_ADDR=OWNER_ADDRESS).status_code == 302
    token = LINK_RE.search(mail.outbox[-1].body).group(1)
    assert phone.post(reverse("accounts:use_link", args=[token]), REMOTE_ADDR=OWNER_ADDRESS).status_code == 302
    assert signed_in(phone)
    # Now the phone is trusted too: its password works despite the attack.
    phone.post(reverse("accounts:sign_out"))
    assert password(phone, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_link_already_sent_works_after_link_requests_are_used_up(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:request_link"), {"link-email": OWNER}, REMOTE_ADDR=OWNER_ADDRESS)
    token = LINK_RE.search(mail.outbox[-1].body).group(1)
    attacker = Client()
    for n in range(throttle_rules.LINK_PER_EMAIL.attempts - 1):
        with django_capture_on_commit_callbacks(execute=True):
            assert attacker.post(reverse("accounts:request_link"), {"link-email": OWNER}, REMOTE_ADDR=f"198.51.100.{n + 1}").status_code == 302
    refused = attacker.post(reverse("accounts:request_link"), {"link-email": OWNER}, REMOTE_ADDR="198.51.100.99")
    assert refused.status_code == 429
    assert "A sign-in link already sent to you keeps working while it is valid" in refused.content.decode()
    assert len(mail.outbox) == throttle_rules.LINK_PER_EMAIL.attempts  # the mail bombing stops
    owner_client = Client()
    assert owner_client.post(reverse("accounts:use_link", args=[token]), REMOTE_ADDR=OWNER_ADDRESS).status_code == 302
    assert signed_in(owner_client)


def test_a_forged_or_anothers_device_cookie_is_not_trusted(owner):
    factories.user("attacker@kunta.fi", password="an attacker's own long passphrase 7")
    attacker = Client()
    assert password(attacker, "attacker@kunta.fi", "an attacker's own long passphrase 7", "198.51.100.1").status_code == 302
    attacker.post(reverse("accounts:sign_out"))
    # A device cookie for the attacker's own account does not make guesses on the owner's account trusted.
    for _ in range(throttle_rules.PASSWORD_PER_ADDRESS_AND_EMAIL.attempts):
        password(attacker, OWNER, "wrong guess", "198.51.100.1")
    assert password(attacker, OWNER, "wrong guess", "198.51.100.1").status_code == 429
    forger = Client()
    forger.cookies[throttle.DEVICE_COOKIE] = attacker.cookies[throttle.DEVICE_COOKIE].value + "x"
    for _ in range(throttle_rules.PASSWORD_PER_ADDRESS_AND_EMAIL.attempts):
        password(forger, OWNER, "wrong guess", "198.51.100.2")
    assert password(forger, OWNER, "wrong guess", "198.51.100.2").status_code == 429


def test_a_trusted_device_is_limited_too_and_the_limits_end_with_their_window(owner):
    laptop = Client()
    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
    laptop.post(reverse("accounts:sign_out"))
    for _ in range(throttle_rules.PASSWORD_PER_DEVICE.attempts):
        assert password(laptop, OWNER, "typo", OWNER_ADDRESS).status_code == 400
    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 429
    clock.set_now(clock.now() + timedelta(seconds=throttle_rules.PASSWORD_PER_DEVICE.window))
    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_correct_password_is_not_counted(owner):
    laptop = Client()
    for _ in range(throttle_rules.PASSWORD_PER_ADDRESS_AND_EMAIL.attempts + 2):
        fresh = Client()
        assert password(fresh, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert password(laptop, OWNER, PASSWORD, OWNER_ADDRESS).status_code == 302
