import importlib
import os

import pytest

from kuntadigi import clock
from tests import factories


def pytest_configure(config):
    # WhiteNoise warns on every request when STATIC_ROOT (collectstatic's output) does not exist; tests do not need it.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


def _set_nodeid(item, nodeid: str) -> None:
    # pytest 9.2 keeps a node's id as a NodeId in Node._id (older versions, and pytest-xdist, set _nodeid).
    if hasattr(item, "_id"):
        from _pytest.nodeid import NodeId

        item._id = NodeId.parse(nodeid)
    else:
        item._nodeid = nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test has a node id of its own, and tests marked @pytest.mark.xdist_group run in one worker.

    pytest-xdist's controller knows the tests by node id only. schemathesis
    (tests/integration/test_api_schemathesis.py) names its items per API operation
    (`test_...[GET /api/v1/grants]`) but gives all of them the function's node id: with --dist loadgroup
    xdist ran one of them and dropped the rest without a word. Such an item gets its name as its node id;
    any other clash stops the run.

    pytest-xdist 3.8 puts a test in its xdist_group by adding `@group` to the node id through
    `item._nodeid`, which pytest 9.2 no longer reads, so the groups were ignored; this adds it where
    pytest 9.2 keeps the id (xdist's own hook runs after this one and changes nothing then)."""
    for item in items:
        if item.nodeid.rpartition("::")[2] != item.name and "[" not in item.nodeid and item.parent is not None:
            _set_nodeid(item, f"{item.parent.nodeid}::{item.name}")
    if getattr(config.option, "loadgroup", False):  # set in pytest-xdist's workers under --dist loadgroup
        for item in items:
            groups = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default")) for mark in item.iter_markers("xdist_group")})
            if groups and "@" not in item.nodeid.rpartition("]")[2]:
                _set_nodeid(item, f"{item.nodeid}@{'_'.join(groups)}")
    seen: set[str] = set()
    clashes = sorted({item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)})
    if clashes:
        raise pytest.UsageError(f"tests with the same node id would not all run in parallel: {clashes}")


@pytest.fixture(autouse=True)
def _reset_clock():
    """Every test starts on real time unless it sets the clock; no test leaks its clock to the next."""
    clock.set_now(None)
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (settings.LANGUAGE_CODE), whatever ran before it.

    A request through the test client activates its page's language in the test's thread and leaves it
    active, so a test that fetched a Swedish page used to turn the next test's reverse() and gettext into
    Swedish. Which test runs next depends on the order, and under pytest-xdist on the worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _test_flush_keeps_audit_triggers():
    """Let the test database be emptied between transactional tests (live_server, transaction=True).

    pytest-django empties the database after such a test with `flush`. On PostgreSQL that is TRUNCATE,
    which the audit trail's statement trigger refuses; on SQLite it is DELETE, which the row triggers
    refuse. For the test database only, the flush sets the triggers aside (PostgreSQL: disables the
    TRUNCATE trigger as the tables' owner, in the flush's transaction; SQLite: drops the triggers),
    empties the tables and puts the same triggers back, so the next test still runs on an append-only trail.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
    from django.db.backends.sqlite3.base import DatabaseOperations

    triggers = importlib.import_module("kuntadigi.audit.migrations.0002_append_only_triggers")
    original = DatabaseOperations.sql_flush
    original_postgres = PostgresOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if "audit_auditevent" not in tables:
            return statements
        return [*triggers.SQLITE_DOWN, *statements, *triggers.SQLITE_UP]

    def sql_flush_postgres(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original_postgres(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if "audit_auditevent" not in tables:
            return statements
        return [
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate;",
            *statements,
            "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_truncate;",
        ]

    DatabaseOperations.sql_flush = sql_flush
    PostgresOperations.sql_flush = sql_flush_postgres
    yield
    DatabaseOperations.sql_flush = original
    PostgresOperations.sql_flush = original_postgres


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


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """The test session's own ClamAV daemon (tests/clamd.py), started once. Missing clamd skips the
    tests that need it, except in CI (CI or KUNTADIGI_REQUIRE_BROWSER set), where it is a failure."""
    from tests import clamd as clamd_support

    binary = clamd_support.find_clamd()
    if binary is None:
        if os.environ.get("CI") or os.environ.get("KUNTADIGI_REQUIRE_BROWSER"):
            pytest.fail("clamd is not installed: apt-get install clamav-daemon (CI needs it for the upload scanning tests).")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon); CI=true makes this a failure")
    daemon = clamd_support.start(binary, tmp_path_factory.mktemp("clamd"))
    yield daemon
    daemon.stop()


@pytest.fixture(scope="session")
def virus_scanner(request):
    """Scanning on, through the session's clamd, for every test that uploads (autouse in
    tests/integration and tests/browser). Without clamd outside CI the uploads go unscanned, as
    KUNTADIGI_VIRUS_SCAN=off does in development, and the scanning tests themselves are skipped."""
    from django.test import override_settings

    try:
        daemon = request.getfixturevalue("clamd")
    except pytest.skip.Exception:
        with override_settings(KUNTADIGI_VIRUS_SCAN=False):
            yield None
        return
    with override_settings(KUNTADIGI_VIRUS_SCAN=True, CLAMD_SOCKET=daemon.socket):
        yield daemon
