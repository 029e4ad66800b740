"""Smaller findings of the security probe (issue 11, section 6): error pages, security.txt, headers,
TRACE, the API's 404, password strength, the development server's log and production's e-mail."""

import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from kuntadigi.accounts.models import User
from kuntadigi.core import views as core_views
from kuntadigi.demo.management.commands.demo_setup import DEFAULT_PASSWORD, DEMO_USERS
from tests import factories

TOKEN = "Xy7-very-secret-token_0123456789abcdefghijkl"


@pytest.fixture(autouse=True)
def _finnish():
    translation.activate("fi")
    yield
    translation.activate("fi")


# ── Error pages ──────────────────────────────────────────────────────────────


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte"), ("en", "Page not found")])
def test_an_unknown_page_is_a_translated_404_with_navigation(client, language, title):
    response = client.get(f"/{language}/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in page
    assert f'<html lang="{language}">' in page
    assert 'class="main-nav"' in page and f'href="/{language}/"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/fi/no-such-page/", "/fi/calls/no-such-call/", "/no-such-page/"])
def test_the_demo_answers_a_missing_page_with_the_services_404_even_with_debug_on(client, settings, address):
    """The demo runs with DEBUG on: an unknown address, and a view's Http404, still get the service's own
    page, not Django's technical page with its list of URL patterns."""
    settings.DEBUG = True
    settings.KUNTADIGI_DEMO = True
    response = client.get(address, follow=True)
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Sivua ei löytynyt</h1>" in page
    assert 'class="main-nav"' in page
    assert "URLconf" not in page and "Using the URLconf" not in page


@pytest.mark.django_db
def test_the_api_keeps_its_json_404_in_the_demo(client, settings):
    settings.DEBUG = True
    settings.KUNTADIGI_DEMO = True
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("language", "title"), [("fi", "Jotain meni vikaan"), ("sv", "Något gick fel"), ("en", "Something went wrong")])
def test_the_500_page_renders_without_the_database_or_request_context(language, title):
    """No django_db mark: any database access here fails the test."""
    with translation.override(language):
        response = core_views.server_error(RequestFactory().get(f"/{language}/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert f"<h1>{title}</h1>" in page
    assert f'<html lang="{language}">' in page
    assert f'href="/{language}/"' in page  # navigation back to the front page


@pytest.mark.django_db
def test_a_crashing_page_answers_with_the_translated_500_page(monkeypatch):
    class Broken:
        class objects:
            @staticmethod
            def filter(**kwargs):
                raise OperationalError("the database went away")

    monkeypatch.setattr(core_views, "Call", Broken)
    client = Client(raise_request_exception=False)
    response = client.get("/sv/")
    assert response.status_code == 500
    assert "<h1>Något gick fel</h1>" in response.content.decode()


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_a_translated_page_with_navigation():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign_in"), {"pw-email": "a@kunta.fi", "pw-password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Lomaketta ei voitu lähettää</h1>" in page
    assert 'class="main-nav"' in page and 'href="/fi/"' in page


@pytest.mark.django_db
def test_an_unknown_api_address_answers_json_404(client):
    for path in ("/api/v1/no-such-thing", "/api/v1/grants/x/y/z", "/api/nothing"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert response.json()["detail"]


# ── security.txt, headers and TRACE ─────────────────────────────────────────


def test_security_txt_follows_rfc_9116(client, settings):
    settings.SECURITY_CONTACT = "mailto:tietoturva@vm.example.fi"
    settings.SITE_URL = "https://kuntadigi.example.fi"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:tietoturva@vm.example.fi"
    assert fields["Preferred-Languages"] == "fi, sv, en"
    assert fields["Canonical"] == "https://kuntadigi.example.fi/.well-known/security.txt"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert datetime.now(UTC) + timedelta(days=30) < expires < datetime.now(UTC) + timedelta(days=366)


@pytest.mark.django_db
def test_every_answer_has_a_permissions_policy_that_keeps_passkeys(client):
    for path in ("/fi/", "/.well-known/security.txt", "/api/v1/", "/fi/no-such-page/"):
        policy = client.get(path)["Permissions-Policy"]
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, path
        assert "publickey-credentials-get=(self)" in policy and "publickey-credentials-create=(self)" in policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/fi/", "/fi/sign-in/", "/.well-known/security.txt", "/api/v1/calls", "/healthz", "/static/css/base.css", "/fi/no-such-page/"]
)
def test_trace_is_405_everywhere(client, path):
    response = client.generic("TRACE", path)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]
    if path.startswith("/api/"):
        assert response.json()["detail"].startswith("Method not allowed")


# ── Passwords ────────────────────────────────────────────────────────────────


@pytest.mark.django_db
@pytest.mark.parametrize("weak", ["aaaaaaaaaaaaaaaa", "abcabcabcabcabc", "qwertyuiopasdf", "salasana123456", "1234567890123a"])
def test_repetitive_and_guessable_passwords_are_refused_on_the_account_page(client, weak):
    person = factories.user("set@kunta.fi")
    client.force_login(person)
    response = client.post(reverse("accounts:change_password"), {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 400
    with translation.override("fi"):
        assert "Salasana on liian helppo arvata." in response.content.decode()
    person.refresh_from_db()
    assert not person.has_usable_password()


@pytest.mark.django_db
def test_a_password_made_of_the_persons_own_address_is_refused():
    person = User(email="maija.meikalainen@porvoo.fi", full_name="Maija Meikäläinen")
    with pytest.raises(ValidationError):
        validate_password("meikalainenporvoo", person)
    validate_password("ruska-pilvi-82-kivikko", person)


@pytest.mark.django_db
def test_the_demo_accounts_password_passes_the_validators():
    for spec in DEMO_USERS:
        validate_password(DEFAULT_PASSWORD, User(email=spec.email, full_name=spec.full_name))


# ── Logs ─────────────────────────────────────────────────────────────────────


def test_the_development_servers_log_masks_sign_in_tokens():
    # The handlers settings.LOGGING gives runserver's request log (pytest adds capturing handlers of its own).
    handlers = [handler for handler in logging.getLogger("django.server").handlers if type(handler) is logging.StreamHandler]
    assert handlers
    for handler in handlers:
        stream = io.StringIO()
        previous = handler.setStream(stream)
        try:
            record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', (f"POST /fi/sign-in/link/{TOKEN}/ HTTP/1.1", "302", "0"), None)
            record.status_code = 302
            record.server_time = "03/Dec/2026 13:00:00"
            handler.handle(record)
        finally:
            handler.setStream(previous)
        line = stream.getvalue()
        assert "/fi/sign-in/link/***/" in line
        assert TOKEN not in line
        assert re.search(r'"POST /fi/sign-in/link/\*\*\*/ HTTP/1\.1" 302 0', line)


# ── The error pages keep the service's HTML rules ────────────────────────────


def assert_valid_page(html: str, lang: str) -> None:
    from tests.integration.test_html_validity import PageChecker

    checker = PageChecker()
    checker.feed(html)
    checker.close()
    problems = checker.report(lang)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_error_pages_are_valid_html(lang):
    assert_valid_page(Client().get(f"/{lang}/no-such-page/").content.decode(), lang)
    csrf = Client(enforce_csrf_checks=True).post(f"/{lang}/sign-in/", {"pw-email": "a@kunta.fi", "pw-password": "x"})
    assert csrf.status_code == 403
    assert_valid_page(csrf.content.decode(), lang)
    with translation.override(lang):
        assert_valid_page(core_views.server_error(RequestFactory().get(f"/{lang}/")).content.decode(), lang)
