"""Signing in: single-use e-mail links, passwords, rate limits, signing out."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from kuntadigi import clock
from kuntadigi.accounts.models import SignInToken, User
from kuntadigi.audit.models import AuditEvent
from tests import factories


@pytest.fixture(autouse=True)
def _interface_texts_untranslated(settings):
    """These tests read the interface's own texts in English (the source language) while the pages keep
    their Finnish addresses: without the project's catalogues the msgids show as they are written."""
    settings.LOCALE_PATHS = []


LINK_RE = re.compile(r"http://testserver-site\.example/fi/sign-in/link/([A-Za-z0-9_-]{40,})/")
SENT_TEXT = "If the address can receive mail, a link is on its way; it is valid for 15 minutes"
WRONG = "E-mail address or password is wrong"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _clear_cache(db, settings):
    settings.SITE_URL = "http://testserver-site.example"
    cache.clear()
    translation.activate("fi")  # a request in another language leaves its language active in this thread
    yield
    cache.clear()


@pytest.fixture
def still_clock():
    """The limits count in fixed windows of the service's clock: stopped, a test never straddles two."""
    clock.set_now(clock.now())


def ask_link(client, email, capture, **extra):
    with capture(execute=True):
        return client.post(reverse("accounts:request_link"), {"link-email": email, **extra}, follow=True)


def same_page(a: str, b: str) -> bool:
    """Equal apart from the per-response CSRF token."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    return token.sub("", a) == token.sub("", b)


def link_from_outbox():
    message = mail.outbox[-1]
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match.group(0), match.group(1)


def test_sign_in_page_offers_both_ways_without_javascript(client):
    response = client.get(reverse("accounts:sign_in"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'action="/fi/sign-in/link/"' in page
    assert 'name="link-email"' in page
    assert 'name="pw-email"' in page and 'name="pw-password"' in page
    assert "<script>" not in page and "onclick" not in page


@pytest.mark.django_db
def test_link_flow_get_does_not_consume_post_signs_in_once(client, django_capture_on_commit_callbacks):
    factories.user("maija@kunta.fi")
    response = ask_link(client, "Maija@Kunta.fi", django_capture_on_commit_callbacks)
    assert SENT_TEXT in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maija@kunta.fi"]
    assert mail.outbox[0].alternatives and "text/html" in mail.outbox[0].alternatives[0][1]
    url, token = link_from_outbox()
    stored = SignInToken.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)

    path = url.removeprefix("http://testserver-site.example")
    for _ in range(2):  # a mail scanner's prefetch and the person's own click
        page = client.get(path)
        assert page.status_code == 200
        assert 'method="post"' in page.content.decode()
        assert "maija@kunta.fi" in page.content.decode()
    stored.refresh_from_db()
    assert stored.used_at is None

    signed_in = client.post(path)
    assert signed_in.status_code == 302
    assert signed_in.url == reverse("accounts:organisations")  # no approved memberships yet
    assert client.session.get("_auth_user_id") == str(User.objects.get(email="maija@kunta.fi").pk)
    assert AuditEvent.objects.filter(action="accounts.signed_in").count() == 1

    client.logout()
    again = client.post(path)
    assert again.status_code == 400
    assert "expired or has already been used" in again.content.decode()
    assert reverse("accounts:sign_in") in again.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_link_expires_after_15_minutes(client, django_capture_on_commit_callbacks):
    start = factories.DURING_2020
    clock.set_now(start)
    ask_link(client, "late@kunta.fi", django_capture_on_commit_callbacks)
    url, _token = link_from_outbox()
    path = url.removeprefix("http://testserver-site.example")
    clock.set_now(start + timedelta(minutes=14, seconds=59))
    assert client.get(path).status_code == 200
    clock.set_now(start + timedelta(minutes=15))
    expired = client.post(path)
    assert expired.status_code == 400
    assert "expired or has already been used" in expired.content.decode()
    assert not User.objects.filter(email="late@kunta.fi").exists()


@pytest.mark.django_db
def test_new_user_is_created_on_first_use_in_the_links_language(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sv/sign-in/link/", {"link-email": "ny@kommun.fi"})
    assert not User.objects.filter(email="ny@kommun.fi").exists()
    assert "/sv/sign-in/link/" in mail.outbox[0].body
    path = re.search(r"/sv/sign-in/link/[A-Za-z0-9_-]+/", mail.outbox[0].body).group(0)
    response = client.post(path)
    assert response.status_code == 302
    user = User.objects.get(email="ny@kommun.fi")
    assert user.language == "sv"
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="accounts.user_registered", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_same_answer_for_known_and_unknown_addresses(client, django_capture_on_commit_callbacks):
    factories.user("known@kunta.fi")
    known = ask_link(client, "known@kunta.fi", django_capture_on_commit_callbacks)
    unknown = ask_link(client, "nobody@kunta.fi", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert same_page(known.content.decode(), unknown.content.decode())
    assert len(mail.outbox) == 2  # a new member of staff registers through the link


@pytest.mark.django_db
def test_invalid_address_is_an_error_linked_to_the_field(client):
    response = client.post(reverse("accounts:request_link"), {"link-email": "not an address"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_link-email"' in page
    assert 'aria-invalid="true"' in page
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_unknown_token_has_a_clear_message(client):
    response = client.get(reverse("accounts:use_link", args=["x" * 43]))
    assert response.status_code == 400
    assert "expired or has already been used" in response.content.decode()


@pytest.mark.django_db
def test_safe_next_is_kept_and_unsafe_next_dropped(client, django_capture_on_commit_callbacks):
    ask_link(client, "next@kunta.fi", django_capture_on_commit_callbacks, next="/fi/calls/")
    path = link_from_outbox()[0].removeprefix("http://testserver-site.example")
    assert client.post(path).url == "/fi/calls/"
    client.logout()
    ask_link(client, "next@kunta.fi", django_capture_on_commit_callbacks, next="https://evil.example/")
    path = link_from_outbox()[0].removeprefix("http://testserver-site.example")
    assert client.post(path).url == reverse("accounts:organisations")


@pytest.mark.django_db
def test_password_sign_in_right_wrong_and_unknown(client):
    org = factories.municipality(code="638")
    person = factories.member(org, "pw@kunta.fi", password=PASSWORD)
    answers = []
    for email, password in [("pw@kunta.fi", "wrong password!"), ("nobody@kunta.fi", PASSWORD), ("pw@kunta.fi", "")]:
        response = client.post(reverse("accounts:sign_in"), {"pw-email": email, "pw-password": password})
        assert response.status_code == 400
        answers.append(response.content.decode())
    assert WRONG in answers[0] and WRONG in answers[1]
    assert same_page(answers[0].replace("pw@kunta.fi", "X"), answers[1].replace("nobody@kunta.fi", "X"))
    assert "_auth_user_id" not in client.session

    right = client.post(reverse("accounts:sign_in"), {"pw-email": "PW@kunta.fi", "pw-password": PASSWORD})
    assert right.status_code == 302
    assert right.url == reverse("applications:mine")  # an applicant lands on what waits for them
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_inactive_user_gets_the_same_error(client):
    factories.user("gone@kunta.fi", password=PASSWORD, is_active=False)
    response = client.post(reverse("accounts:sign_in"), {"pw-email": "gone@kunta.fi", "pw-password": PASSWORD})
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_link_requests_are_limited_per_address(still_clock, client, django_capture_on_commit_callbacks):
    for _ in range(5):
        assert ask_link(client, "spam@kunta.fi", django_capture_on_commit_callbacks).status_code == 200
    limited = client.post(reverse("accounts:request_link"), {"link-email": "SPAM@kunta.fi"})
    assert limited.status_code == 429
    assert re.search(r"Too many attempts\. Try again in ([1-9]|10) minutes?\.", limited.content.decode())
    assert 0 < int(limited["Retry-After"]) <= 600
    assert len(mail.outbox) == 5
    # another address from the same place still works
    assert ask_link(client, "other@kunta.fi", django_capture_on_commit_callbacks).status_code == 200


@pytest.mark.django_db
def test_link_requests_are_limited_per_ip(still_clock, client, django_capture_on_commit_callbacks):
    for n in range(20):
        assert ask_link(client, f"person{n}@kunta.fi", django_capture_on_commit_callbacks).status_code == 200
    assert client.post(reverse("accounts:request_link"), {"link-email": "person99@kunta.fi"}).status_code == 429


@pytest.mark.django_db
def test_password_attempts_are_limited_the_same_for_known_and_unknown(still_clock, client):
    factories.user("known@kunta.fi", password=PASSWORD)
    for email in ["known@kunta.fi", "unknown@kunta.fi"]:
        for _ in range(5):
            assert client.post(reverse("accounts:sign_in"), {"pw-email": email, "pw-password": "nope"}).status_code == 400
        assert client.post(reverse("accounts:sign_in"), {"pw-email": email, "pw-password": "nope"}).status_code == 429
    # even the right password is refused from this client while it is limited for the address
    assert client.post(reverse("accounts:sign_in"), {"pw-email": "known@kunta.fi", "pw-password": PASSWORD}).status_code == 429


@pytest.mark.django_db
def test_password_attempts_are_limited_per_ip(still_clock, client):
    for n in range(30):
        client.post(reverse("accounts:sign_in"), {"pw-email": f"p{n}@kunta.fi", "pw-password": "nope"})
    assert client.post(reverse("accounts:sign_in"), {"pw-email": "p99@kunta.fi", "pw-password": "nope"}).status_code == 429


@pytest.mark.django_db
def test_token_posts_are_limited_per_ip(still_clock, client):
    for n in range(30):
        assert client.post(reverse("accounts:use_link", args=[f"{n:02d}" + "a" * 41])).status_code == 400
    assert client.post(reverse("accounts:use_link", args=["b" * 43])).status_code == 429


@pytest.mark.django_db
def test_sign_out_is_post_only(client):
    person = factories.user(password=PASSWORD)
    client.force_login(person)
    assert client.get(reverse("accounts:sign_out")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:sign_out"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_set_and_change_password_on_the_account_page(client):
    person = factories.user("set@kunta.fi")
    client.force_login(person)
    page = client.get(reverse("accounts:account"))
    assert "Set a password" in page.content.decode()
    short = client.post(reverse("accounts:change_password"), {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 400
    assert "This password is too short" in short.content.decode()
    ok = client.post(reverse("accounts:change_password"), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert "_auth_user_id" in client.session  # still signed in

    change = client.get(reverse("accounts:account"))
    assert "Change your password" in change.content.decode()
    new = "another long pass 77"
    wrong_old = client.post(reverse("accounts:change_password"), {"old_password": "nope", "new_password1": new, "new_password2": new})
    assert wrong_old.status_code == 400
    assert AuditEvent.objects.filter(action="accounts.password_changed").count() == 1


@pytest.mark.django_db
def test_messages_are_translated_with_the_url_language(client):
    response = client.post("/sv/sign-in/", {"pw-email": "x@kunta.fi", "pw-password": "nope"})
    assert response.status_code == 400
    assert 'lang="sv"' in response.content.decode()


@pytest.mark.django_db
def test_no_email_address_in_logs(client, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("DEBUG"):
        ask_link(client, "secret.person@kunta.fi", django_capture_on_commit_callbacks)
        client.post(reverse("accounts:sign_in"), {"pw-email": "secret.person@kunta.fi", "pw-password": "nope"})
    assert "secret.person" not in caplog.text


@pytest.mark.django_db
def test_mail_failure_gives_the_same_answer_and_logs_no_address(client, caplog, monkeypatch, django_capture_on_commit_callbacks):
    import smtplib

    from django.core.mail import EmailMultiAlternatives

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"hidden.person@kunta.fi": (550, b"no such user hidden.person@kunta.fi")})

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with caplog.at_level("DEBUG"):
        response = ask_link(client, "hidden.person@kunta.fi", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert SENT_TEXT in response.content.decode()
    assert "SMTPRecipientsRefused" in caplog.text
    assert "hidden.person" not in caplog.text
