"""Browser-test infrastructure: Chromium through Playwright, the live server, a real SMTP server.

Fixtures
- browser        one headless Chromium (/usr/bin/chromium) for the session. Missing Chromium skips the
                 browser tests, or fails them when KUNTADIGI_REQUIRE_BROWSER=1 (CI).
- page           a fresh browser context per test (locale fi-FI, 1280×900); a failing test leaves a
                 screenshot and the page's HTML in test-artifacts/. `page.console_errors` collects the
                 console errors (CSP violations show up there) and uncaught script errors.
- nojs_page      the same with JavaScript disabled (axe still works on it: it runs on a copy).
- site           the live server (pytest-django's live_server, in this process, so `clock.set_now`
                 applies to it; the database is emptied after each test) with settings.SITE_URL
                 pointing at it: site.url, site("/fi/"), site.reverse("calls:detail", "digi-2020", lang="sv").
- reference_data the 310 municipalities of 2020 (and Valtimo, merged in 2020), loaded with `manage.py load_reference_data`.
- mailbox        a real SMTP server (aiosmtpd) on 127.0.0.1 that Django sends to during the test:
                 mailbox.wait_for_mail(to, timeout=10) -> Mail(to, subject, body, html, message).
- wait_for_mail  the same function as a fixture.
- (autouse)      uploads are scanned by the session's own clamd (tests/conftest.py: virus_scanner).
Helpers (tests/browser/helpers.py): assert_no_axe_violations, assert_reads_at_320px,
assert_skip_link_comes_first, extract_link.

Mark browser tests with @pytest.mark.browser (or `pytestmark = pytest.mark.browser`), so that
`pytest -m "not browser"` leaves them out.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.browser.helpers import extract_link  # noqa: F401 (re-exported for tests that import it from here)

# Playwright's sync API runs an asyncio event loop in the test thread (and it stays "running" for the
# whole session once the browser started). Django would then refuse database access from that thread
# with SynchronousOnlyOperation, although nothing here is asynchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("KUNTADIGI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that fixtures know whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _browser_required() -> bool:
    return os.environ.get("KUNTADIGI_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


# One Playwright and one Chromium per test process, however many modules define the fixtures (a test
# module may import them from here): a second sync Playwright in the same thread cannot start.
_shared: dict = {}


def shared_browser():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    return _shared["browser"]


def shared_smtp_server() -> Mailbox:
    if "smtp" not in _shared:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
        mailbox = Mailbox()
        # aiosmtpd's Controller must be told its port (it connects to it to check that it started), so
        # the port is asked of the system first and may be taken by another process before the server
        # binds it: another test worker's server (pytest-xdist), a live server or anything else on the
        # machine. Then another port is tried.
        for attempt in range(1, 6):
            mailbox.port = _free_port()
            controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
            try:
                controller.start()
                break
            except OSError:
                if attempt == 5:
                    raise
        _shared.update(smtp=mailbox, smtp_controller=controller)
    return _shared["smtp"]


def pytest_sessionfinish(session, exitstatus):
    if "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()
    if "smtp_controller" in _shared:
        _shared.pop("smtp_controller").stop()
        _shared.pop("smtp")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium is not installed at {CHROMIUM} (on Debian: apt-get install chromium)."
        if _browser_required():
            pytest.fail(message + " KUNTADIGI_REQUIRE_BROWSER=1, so the browser tests fail instead of skipping.")
        pytest.skip(message)
    return shared_browser()


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(locale="fi-FI", viewport={"width": 1280, "height": 900}, timezone_id="Europe/Helsinki")
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(20_000)
    # Browsers ask for /favicon.ico on their own; the service has none, and a 404 in the console is noise.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    yield context
    context.close()


@pytest.fixture
def page(browser_context, request):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.console_errors = errors
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        _save_artifacts(page, request.node.nodeid)


@pytest.fixture
def nojs_page(browser, request):
    """Like `page`, with JavaScript disabled: every flow must work without it."""
    context = browser.new_context(java_script_enabled=False, locale="fi-FI", viewport={"width": 1280, "height": 900}, timezone_id="Europe/Helsinki")
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(20_000)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        _save_artifacts(page, request.node.nodeid)
    context.close()


def _save_artifacts(page, nodeid: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", nodeid).strip("_")[:180]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # a crashed page must not hide the test's own failure
        print(f"could not save the page of {nodeid}: {error}")


class Site:
    """The live server's address, with helpers that build addresses of named pages."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def __call__(self, path: str) -> str:
        return self.url + path

    def reverse(self, name: str, *args, lang: str = "fi", **kwargs) -> str:
        with translation.override(lang):
            return self.url + reverse(name, args=args or None, kwargs=kwargs or None)


@pytest.fixture
def site(live_server, settings) -> Site:
    settings.SITE_URL = live_server.url
    return Site(live_server.url)


@pytest.fixture
def reference_data(transactional_db):
    """The 310 municipalities and 19 regions of 2020 from data/, with Valtimo as a historical municipality (the database is emptied after the test)."""
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)


# ── A real SMTP server ────────────────────────────────────────────────────────────────────────────


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str
    html: str | None
    sender: str
    message: EmailMessage = field(repr=False)


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.port = 0
        self.messages: list[Mail] = []
        self._taken: set[tuple[str, int]] = set()  # (address, message index) already returned
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        mail = Mail(
            to=[address.lower() for address in envelope.rcpt_tos],
            subject=str(message.get("Subject", "")),
            body=plain.get_content() if plain is not None else "",
            html=html.get_content() if html is not None else None,
            sender=envelope.mail_from,
            message=message,
        )
        with self._changed:
            self.messages.append(mail)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._changed:
            self.messages.clear()
            self._taken.clear()

    def to(self, address: str) -> list[Mail]:
        with self._changed:
            return [mail for mail in self.messages if address.lower() in mail.to]

    def wait_for_mail(self, to: str, timeout: float = 10, *, subject: str | None = None) -> Mail:
        """The next message to this address (once per address), waiting up to timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index, mail in enumerate(self.messages):
                    if (to.lower(), index) not in self._taken and to.lower() in mail.to and (subject is None or subject in mail.subject):
                        self._taken.add((to.lower(), index))
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(mail.to, mail.subject) for mail in self.messages]
                    raise AssertionError(f"no mail to {to} within {timeout} s; received: {seen}")
                self._changed.wait(remaining)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Mailbox:
    return shared_smtp_server()


@pytest.fixture
def mailbox(smtp_server, settings) -> Mailbox:
    """Django sends its mail to the local SMTP server during this test."""
    smtp_server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    return smtp_server


@pytest.fixture
def wait_for_mail(mailbox):
    return mailbox.wait_for_mail


@pytest.fixture(scope="session", autouse=True)
def _uploads_are_scanned(virus_scanner):
    """Every upload through the live server is scanned by the session's own clamd (tests/conftest.py)."""
    return virus_scanner
