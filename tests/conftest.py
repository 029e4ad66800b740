import importlib

import pytest

from kuntadigi import clock
from tests import factories


def pytest_configure(config):
    # WhiteNoise warns on every request when STATIC_ROOT (collectstatic's output) does not exist; tests do not need it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


@pytest.fixture(autouse=True)
def _reset_clock():
    """Every test starts on real time unless it sets the clock; no test leaks its clock to the next."""
    clock.set_now(None)
    yield
    clock.reset()


@pytest.fixture(scope="session", autouse=True)
def _test_flush_keeps_audit_triggers():
    """Let the test database be emptied between transactional tests (live_server, transaction=True).

    pytest-django empties the database after such a test with `flush`. On PostgreSQL that is TRUNCATE,
    which the audit trail's row triggers do not see; on SQLite it is DELETE, which they refuse. For the
    test database only, the flush drops the SQLite triggers, empties the tables and creates the same
    triggers again (from the audit migration), so the next test still runs on an append-only trail.
    """
    from django.db.backends.sqlite3.base import DatabaseOperations

    triggers = importlib.import_module("kuntadigi.audit.migrations.0002_append_only_triggers")
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if "audit_auditevent" not in tables:
            return statements
        return [*triggers.SQLITE_DOWN, *statements, *triggers.SQLITE_UP]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _second_factor_given(request, settings, monkeypatch):
    """Client.force_login skips the password; here it skips the second factor too: the session is marked
    verified now, as if the person had just given a code. The tests also move the clock by days after
    signing in, so the session limits and step-up age are set beyond any test's span.

    Tests of the second factor itself opt out with @pytest.mark.second_factor: force_login then gives
    only the first factor, and the real default limits apply."""
    if request.node.get_closest_marker("second_factor"):
        return
    from django.test import Client

    from kuntadigi.mfa import services as mfa_services

    settings.KUNTADIGI_STEP_UP_MINUTES = settings.KUNTADIGI_OFFICIAL_IDLE_MINUTES = settings.KUNTADIGI_APPLICANT_IDLE_MINUTES = 10 * 365 * 24 * 60
    settings.KUNTADIGI_OFFICIAL_SESSION_HOURS = 10 * 365 * 24
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[mfa_services.VERIFIED_AT] = clock.now().isoformat()
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to its own temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def call_2020(db):
    return factories.call()


@pytest.fixture
def during_call():
    clock.set_now(factories.DURING_2020)
    return factories.DURING_2020
