"""Nothing lost when a process dies: real server and worker processes killed with SIGKILL (PostgreSQL).

The test prepares and commits its data in the test database (transactional test), starts the real
process (gunicorn, or `manage.py db_worker`) against that database, and stops it part-way through
its work from the outside, without any hook in the code: a second database connection takes a table
or row lock that the process needs at a chosen point, waits until PostgreSQL shows the process
waiting for exactly that lock (pg_blocking_pids), and then kills the process group. After the lock
is released and PostgreSQL has ended the dead process's session, the database must hold either the
whole result or none of it.

The way to stop a process at a chosen statement (LOCK TABLE, SELECT ... FOR UPDATE, pg_blocking_pids)
exists on PostgreSQL only, so these tests are skipped on SQLite (CI runs the suite on both).
docs/performance.md (Crash safety) lists what each test proves.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from kuntadigi import clock
from kuntadigi.applications import snapshot
from kuntadigi.applications.lifecycle import State
from kuntadigi.applications.models import Application, Submission
from kuntadigi.applications.submission import load_for_content
from kuntadigi.audit.models import AuditEvent
from tests import factories
from tests.integration import submission_data as data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the test kills a server process while PostgreSQL holds its open transaction, and takes table locks from outside",
    ),
]

ROOT = Path(settings.BASE_DIR)
WAIT = 60.0  # seconds: the longest any wait below polls before it fails the test
DATABASE_TASKS = "django_tasks_db.DatabaseBackend"


# ── Processes, ports and waiting ────────────────────────────────────────────


def wait_for(condition, what: str, timeout: float = WAIT, interval: float = 0.05):
    """Poll `condition` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def database_url() -> str:
    """The test database (the one pytest-django created), for the processes the test starts."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


class Processes:
    """Processes started by a test, each in its own process group, all killed when the test ends."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[subprocess.Popen] = []

    def environment(self, **extra: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "TASK_BACKEND", "EMAIL_BACKEND"}}
        env.update(
            DATABASE_URL=database_url(),
            CONN_MAX_AGE="0",
            DEBUG="1",
            KUNTADIGI_NOW=factories.DURING_2020.isoformat(),
            KUNTADIGI_CLOCK_FROZEN="1",
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def start(self, name: str, command: list[str], **env: str) -> subprocess.Popen:
        log = (self.directory / f"{name}-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=self.environment(**env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        process.log_path = log.name
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the whole process group (a gunicorn master and its workers), then reap the leader."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=WAIT)

    def log(self, process: subprocess.Popen, tail: int = 4000) -> str:
        return Path(process.log_path).read_text(errors="replace")[-tail:]

    def stop_all(self) -> None:
        for process in self.started:
            self.kill(process)


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


class Locker:
    """A connection of its own that holds a lock until released, and sees who waits for it."""

    def __init__(self):
        import psycopg

        db = connection.settings_dict
        self.conn = psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres", password=db["PASSWORD"] or None, dbname=db["NAME"]
        )
        self.pid = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    def execute(self, sql: str, params=()) -> None:
        self.conn.execute(sql, params)

    def waiting(self) -> list[tuple[int, str]]:
        """(pid, query) of the sessions that wait for one of our locks, read from a fresh snapshot."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid, query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [self.pid])
            return cursor.fetchall()

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def locker():
    held = Locker()
    yield held
    held.release()


def session_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


# ── The server ──────────────────────────────────────────────────────────────


def start_server(processes: Processes, **env: str) -> subprocess.Popen:
    """gunicorn with one worker against the test database, on a port the system picks (no race for a
    free port); returns the process, with its address, once it answers."""
    server = processes.start(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "kuntadigi.wsgi:application", "--bind", "127.0.0.1:0", "--workers", "1", "--timeout", "300"],
        ALLOWED_HOSTS="127.0.0.1",
        **env,
    )

    def running(condition):
        def check():
            if server.poll() is not None:
                pytest.fail(f"the server exited with {server.returncode}:\n{processes.log(server)}")
            return condition()

        return check

    def listening() -> str | None:
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", processes.log(server, tail=100_000))
        return found and found.group(1)

    def answers() -> bool:
        try:
            return httpx.get(server.base_url + "/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    server.base_url = wait_for(running(listening), "the server to listen")
    wait_for(running(answers), "the server to answer /healthz")
    return server


def signed_in_client(base_url: str, user) -> httpx.Client:
    """An HTTP client with the user's session (made in the database, which the server reads)."""
    django_client = Client()
    django_client.force_login(user)
    client = httpx.Client(base_url=base_url, timeout=WAIT)
    client.cookies.set(settings.SESSION_COOKIE_NAME, django_client.cookies[settings.SESSION_COOKIE_NAME].value)
    return client


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


class Background:
    """One HTTP request sent from a thread, because the server will never answer it."""

    def __init__(self, send):
        self.outcome: list = []
        self.thread = threading.Thread(target=self._run, args=(send,), daemon=True)
        self.thread.start()

    def _run(self, send):
        try:
            self.outcome.append(send())
        except Exception as error:  # the connection dies with the server; kept for the assertions
            self.outcome.append(error)

    def join(self):
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive()
        return self.outcome[0]


# ── Submission killed part-way ──────────────────────────────────────────────


@dataclass
class Before:
    state: str
    version: int
    updated_at: object
    content: dict
    fingerprint: str
    audit_events: int


def draft_ready_to_submit() -> Application:
    clock.set_now(factories.DURING_2020)
    call = factories.call()
    app = data.application(call, requested=Decimal("12750.00"))
    clock.reset()
    return app


def observe(app: Application) -> Before:
    content = snapshot.application_content(load_for_content(app.pk))
    app.refresh_from_db()
    return Before(app.state, app.version, app.updated_at, content, snapshot.fingerprint(content), AuditEvent.objects.filter(application_id=app.pk).count())


def assert_intact_draft(app: Application, before: Before) -> None:
    now = observe(app)
    assert now == before  # the same state, version, time stamp and content, and no new audit event
    assert now.state == State.DRAFT
    assert not Submission.objects.filter(application=app).exists()


def assert_fully_submitted(app: Application, before: Before) -> None:
    """Submitted with everything its receipt states: the one version, its fingerprint, the time, the audit event."""
    app.refresh_from_db()
    assert (app.state, app.version) == (State.SUBMITTED, before.version + 1)
    assert app.submitted_at == factories.DURING_2020
    submission = Submission.objects.get(application=app)
    assert (submission.number, submission.submitted_at, submission.submitted_by_id) == (1, factories.DURING_2020, app.created_by_id)
    assert submission.content == before.content
    assert submission.fingerprint == snapshot.fingerprint(submission.content) == before.fingerprint
    event = AuditEvent.objects.get(action="application.submit", application_id=app.pk)
    assert event.after["fingerprint"] == submission.fingerprint and event.after["submission"] == 1


@dataclass
class Point:
    """Where the submission is stopped: the table whose lock it waits for, and the server's settings."""

    table: str
    waits_in: str
    env: dict


# In the order the submission writes, all inside its one transaction (submission.submit_application).
POINTS = {
    # The row lock is held and the content read; the version is not yet written.
    "before the version is written": Point("applications_submission", 'INSERT INTO "applications_submission"', {}),
    # The version is written and the application updated; the receipt e-mail's task (database task
    # backend) waits to be queued with them.
    "queueing the receipt e-mail": Point(
        "django_tasks_database_dbtaskresult", 'INSERT INTO "django_tasks_database_dbtaskresult"', {"TASK_BACKEND": DATABASE_TASKS}
    ),
    # The version is written, the application updated and the receipt queued; the audit event waits.
    "before the audit event": Point("audit_auditevent", 'INSERT INTO "audit_auditevent"', {"TASK_BACKEND": DATABASE_TASKS}),
}


def _submit_page(client: httpx.Client, app: Application) -> str:
    with translation.override("en"):
        url = reverse("applications:submit", args=[app.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Submit" in page.text
    return url


def receipt_tasks() -> list:
    return [task.args_kwargs["args"] for task in DBTaskResult.objects.filter(task_path="kuntadigi.applications.tasks.send_receipt_email")]


@pytest.mark.parametrize("point", list(POINTS))
def test_a_server_killed_in_the_middle_of_a_submission_leaves_an_intact_draft(point, processes, locker):
    stop = POINTS[point]
    app = draft_ready_to_submit()
    before = observe(app)
    server = start_server(processes, **stop.env)
    client = signed_in_client(server.base_url, app.created_by)
    url = _submit_page(client, app)
    token = client.cookies["csrftoken"]

    locker.execute(f'LOCK TABLE "{stop.table}" IN SHARE MODE')  # lets readers on, stops any INSERT
    request = Background(lambda: client.post(url, data={"csrfmiddlewaretoken": token}))
    [(pid, query)] = wait_for(locker.waiting, f"the submission to wait for the lock on {stop.table}")
    assert query.startswith(stop.waits_in), query

    processes.kill(server)
    locker.release()  # PostgreSQL completes the statement it holds, then finds the client gone and rolls back
    wait_for(lambda: session_gone(pid), "PostgreSQL to end the killed server's session")
    assert isinstance(request.join(), httpx.TransportError)  # the applicant got no answer

    assert_intact_draft(app, before)
    assert receipt_tasks() == []


def test_a_submission_and_its_receipt_e_mail_commit_together(processes):
    """With the database task backend the receipt's task is queued in the submission's transaction:
    no instant after the commit in which a dying server could lose it."""
    app = draft_ready_to_submit()
    before = observe(app)
    server = start_server(processes, TASK_BACKEND=DATABASE_TASKS)
    client = signed_in_client(server.base_url, app.created_by)
    url = _submit_page(client, app)

    response = client.post(url, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]})

    assert response.status_code == 302
    assert_fully_submitted(app, before)
    assert receipt_tasks() == [[Submission.objects.get(application=app).pk]]  # for a worker to send


class Blackhole:
    """An SMTP server that accepts a connection and never answers: a sender waits there for ever."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(WAIT)
        self.port = self.socket.getsockname()[1]
        self.accepted = None

    def wait_for_sender(self) -> None:
        try:
            self.accepted, _address = self.socket.accept()
        except TimeoutError:
            pytest.fail("timed out waiting for the server to send the receipt e-mail")

    def close(self) -> None:
        if self.accepted:
            self.accepted.close()
        self.socket.close()


def test_a_server_killed_after_the_commit_before_its_answer_leaves_the_whole_submission(processes):
    """The kill comes once the submission has committed, while the server sends the receipt e-mail
    (the immediate task backend sends it after the commit, inside the request) and before it answers."""
    app = draft_ready_to_submit()
    before = observe(app)
    smtp = Blackhole()
    try:
        server = start_server(processes, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port))
        client = signed_in_client(server.base_url, app.created_by)
        url = _submit_page(client, app)
        request = Background(lambda: client.post(url, data={"csrfmiddlewaretoken": client.cookies["csrftoken"]}))
        smtp.wait_for_sender()
        processes.kill(server)
    finally:
        smtp.close()
    assert isinstance(request.join(), httpx.TransportError)  # the applicant got no answer
    assert_fully_submitted(app, before)


# ── A decision-PDF task whose worker is killed ──────────────────────────────


def signed_decision_with_its_pdf_queued(settings):
    """A signed decision whose final PDF waits in the database queue for a worker (its preview is done)."""
    from django.core.management import call_command

    from kuntadigi.decisions import services_decisions as services
    from kuntadigi.decisions.models import Decision
    from tests.integration import decisions_support as support

    world = support.build_world()
    settings.TASKS = {"default": {"BACKEND": DATABASE_TASKS}}
    app = world.apps["fi"]
    values = services.defaults_for(app, world.preparer)
    values.presenter_id, values.presenter_title = world.presenter.pk, "neuvotteleva virkamies"
    values.decision_maker_id, values.decision_maker_title = world.decision_maker.pk, "finanssineuvos"
    services.prepare_decision(world.preparer, app.pk, values)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)  # the preview
    services.sign_decision(world.decision_maker, app.pk)
    decision = Decision.objects.get(application=app)
    [task] = DBTaskResult.objects.filter(status="READY")
    assert (task.task_path, task.args_kwargs["args"], decision.document_sha256) == ("kuntadigi.decisions.tasks.render_decision_pdf", [decision.pk], "")
    return decision, task


def final_pdfs() -> list[str]:
    """The signed decisions' PDF files in storage (previews are kept apart)."""
    media = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(media)) for path in (media / "decisions").glob("*.pdf"))


def start_worker(processes: Processes, worker_id: str, *extra: str) -> subprocess.Popen:
    from tests.integration.decisions_support import DECISION_DAY

    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1", "--worker-id", worker_id, *extra]
    return processes.start(f"worker-{worker_id}", command, TASK_BACKEND=DATABASE_TASKS, KUNTADIGI_NOW=DECISION_DAY.isoformat())


# Where the worker is stopped inside the task's transaction: the table it waits for, and the statement.
WORKER_POINTS = {
    # store_final_document waits for the decision's row lock: nothing rendered yet.
    "before rendering": ("row", 'SELECT "decisions_decision"'),
    # The PDF is rendered and its file written, the decision row updated; the audit event waits.
    "after the document is written, before the audit event": ("audit_auditevent", 'INSERT INTO "audit_auditevent"'),
}


@pytest.mark.parametrize("point", list(WORKER_POINTS))
def test_a_pdf_task_whose_worker_is_killed_is_queued_again_and_completes_once(point, settings, processes, locker):
    from django.core.management import call_command

    from kuntadigi.decisions import services_decisions as services
    from kuntadigi.decisions.models import Decision

    decision, task = signed_decision_with_its_pdf_queued(settings)
    lock, waits_in = WORKER_POINTS[point]
    if lock == "row":
        locker.execute(f'SELECT 1 FROM "{Decision._meta.db_table}" WHERE id = %s FOR UPDATE', [decision.pk])  # noqa: S608 (the model's table)
    else:
        locker.execute(f'LOCK TABLE "{lock}" IN SHARE MODE')

    worker = start_worker(processes, "worker-killed")
    [(pid, query)] = wait_for(locker.waiting, f"the worker's task to wait for the lock ({point})")
    assert query.startswith(waits_in), query
    task.refresh_from_db()
    assert (task.status, task.worker_ids) == ("RUNNING", ["worker-killed"])
    processes.kill(worker)
    locker.release()
    wait_for(lambda: session_gone(pid), "PostgreSQL to end the killed worker's session")

    # Nothing of the task's transaction is left, and django-tasks-db leaves the task RUNNING for ever:
    # a new worker does not take it.
    decision.refresh_from_db()
    assert (decision.document_sha256, decision.document.name, decision.notified_at) == ("", "", None)
    assert not AuditEvent.objects.filter(action="decision.document_stored").exists()
    assert len(final_pdfs()) == (1 if lock == "audit_auditevent" else 0)  # the dead attempt's file, unreferenced
    idle = start_worker(processes, "worker-idle", "--batch")
    assert idle.wait(timeout=WAIT) == 0, processes.log(idle)
    task.refresh_from_db()
    assert task.status == "RUNNING"

    # The recovery leaves a task that may still be running (started a moment ago) alone ...
    call_command("requeue_lost_tasks", verbosity=0)
    task.refresh_from_db()
    assert task.status == "RUNNING"
    # ... and queues it again once it has been running for longer than any task runs.
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=task.started_at - timedelta(hours=1))
    call_command("requeue_lost_tasks", verbosity=0)
    task.refresh_from_db()
    assert task.status == "READY"

    second = start_worker(processes, "worker-second", "--batch")
    assert second.wait(timeout=WAIT) == 0, processes.log(second)

    task.refresh_from_db()
    assert (task.status, task.worker_ids, task.return_value) == ("SUCCESSFUL", ["worker-killed", "worker-second"], "final")
    decision.refresh_from_db()
    assert len(decision.document_sha256) == 64
    assert services.signed_document_bytes(decision).startswith(b"%PDF")  # the stored file matches its SHA-256
    assert final_pdfs() == [decision.document.name]  # one file: a retry reuses the identical file of a dead attempt
    assert AuditEvent.objects.filter(action="decision.document_stored", object_id=str(decision.pk)).count() == 1
    assert AuditEvent.objects.filter(action="decision.notify", object_id=str(decision.pk)).count() == 1
    assert decision.notified_at is not None
    notify = DBTaskResult.objects.exclude(pk=task.pk).get(task_path="kuntadigi.decisions.tasks.notify_decision")
    assert notify.status == "SUCCESSFUL"

    # Completed once: the recovery and another worker change nothing.
    stored = (decision.document.name, decision.document_sha256, decision.notified_at)
    call_command("requeue_lost_tasks", "--older-than", "0", verbosity=0)
    again = start_worker(processes, "worker-third", "--batch")
    assert again.wait(timeout=WAIT) == 0, processes.log(again)
    decision.refresh_from_db()
    assert (decision.document.name, decision.document_sha256, decision.notified_at) == stored
    assert AuditEvent.objects.filter(action__in=["decision.document_stored", "decision.notify"], object_id=str(decision.pk)).count() == 2
