#!/usr/bin/env python3
"""The deadline rush: V applicants autosave, upload and submit in the last minutes before the 2020 call
closes, against the production-like server (gunicorn + PostgreSQL + the db_worker) on loopback.

    .venv/bin/python bench/deadline_rush.py                 # 200 applicants, database bench_rush
    .venv/bin/python bench/deadline_rush.py --applicants 50 --lead 150

What it does (bench/README.md has the details):
  1. (re)creates the PostgreSQL database (--database, default bench_rush), migrates, loads the 310
     municipalities and the calls, collects the static files; builds V applicants with the ORM: a user
     with a password, an approved membership of their own lead municipality, and a draft application
     of the 2020 call with one partner municipality, budget lines and the partner's confirmation;
  2. starts gunicorn (gunicorn.conf.py, DEBUG=0, KUNTADIGI_BENCH_VIEWS=1) and `manage.py db_worker`
     with the clock (KUNTADIGI_NOW, running on) set --lead seconds before the call closes at 16.15;
  3. every applicant signs in through the real sign-in form (CSRF, Argon2), each from its own
     loopback address (127.0.x.y), so that the per-address sign-in limits hold as they are;
  4. the ceiling: a bare view that inserts one row, closed loop, --concurrency clients; the same
     insert for the signed-in user (reading the session and the user first); then autosave at
     saturation, closed loop, the same number of clients;
  5. the rush: each applicant autosaves its project page every --autosave-every seconds (jittered),
     uploads one PDF, opens the review page and submits in the last minutes before the deadline;
     a burst of them submits at one instant; --late of them submit after the deadline on purpose
     (and try to autosave too): both must be refused;
  6. prints throughput, p50/p95/p99 per request type, errors, and the ratios to the ceiling; then checks
     the database: every receipt is stored exactly once and unchanged (fingerprint recomputed with
     kuntadigi/applications/snapshot.py), every late one was refused, no acknowledged save was lost.

Exit status 0 when nothing was lost and no request failed, 1 otherwise. Not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
HKI = ZoneInfo("Europe/Helsinki")
CLOSES_2020 = datetime(2020, 10, 5, 16, 15, tzinfo=HKI)
PASSWORD = "rush-bench-password-" + "x" * 12
TEXT_FIELDS = ("summary", "current_state", "objectives", "change_in_ways_of_working", "rollout_and_spread", "prior_work")
FILLER = (
    "Hankkeessa kunnat uudistavat yhdessä asukkaiden palveluprosessit ja ottavat käyttöön sähköiset "
    "kokous- ja päätöksentekomenettelyt. Muutos koskee valmistelua, osallistumista ja tiedottamista. "
)


# ── Options ──────────────────────────────────────────────────────────────────────────────────────


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applicants", type=int, default=200, help="virtual applicants, each with its own account and municipality (default 200)")
    parser.add_argument("--late", type=int, default=None, help="applicants who submit after the deadline on purpose (default 5%%, at least 2)")
    parser.add_argument("--autosave-every", type=float, default=5.0, help="seconds between one applicant's autosaves, ±30%% (default 5)")
    parser.add_argument("--lead", type=float, default=240.0, help="seconds from the server's start to the deadline (default 240)")
    parser.add_argument("--phase-seconds", type=float, default=10.0, help="length of the ceiling and autosave-saturation phases (default 10)")
    parser.add_argument("--concurrency", type=int, default=32, help="closed-loop clients in the ceiling and saturation phases (default 32)")
    parser.add_argument("--database", default="bench_rush", help="PostgreSQL database to (re)create (default bench_rush)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"), help="PostgreSQL server URL without database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py, 2 x cores + 1)")
    parser.add_argument("--threads", type=int, default=None, help="gunicorn threads per worker (default: gunicorn.conf.py)")
    parser.add_argument("--worker-class", default=None, help="gunicorn worker class (default: gunicorn.conf.py, gthread)")
    parser.add_argument(
        "--whole-form",
        action="store_true",
        help="autosave posts every field of the project page with every text changed, as the browser did before it sent only the fields that changed",
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary directory afterwards")
    args = parser.parse_args(argv)
    if args.late is None:
        args.late = max(2, args.applicants // 20)
    if not 0 < args.late < args.applicants:
        parser.error("--late must be between 1 and applicants - 1")
    if args.lead < 120:
        parser.error("--lead must be at least 120 seconds (sign-in, ceiling and saturation come first)")
    return args


# ── Environment, database and data ──────────────────────────────────────────────────────────────


def server_environ(args, workdir: Path, anchor: datetime) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KUNTADIGI_", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="kuntadigi.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{args.pg.rstrip('/')}/{args.database}",
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        KUNTADIGI_BENCH_VIEWS="1",
        KUNTADIGI_NOW=anchor.isoformat(),
        KUNTADIGI_CLOCK_FROZEN="0",
        GUNICORN_BIND=f"127.0.0.1:{args.port}",
        GUNICORN_ACCESSLOG=str(workdir / "access.log"),
        # No worker recycling during the run: the CPU read from /proc must cover every request, and a
        # worker that exits after 5,000 requests takes its CPU seconds with it.
        GUNICORN_MAX_REQUESTS="0",
    )
    env.pop("TASK_BACKEND", None)  # DEBUG=0: the database backend, run by db_worker
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    if args.worker_class:
        env["GUNICORN_WORKER_CLASS"] = args.worker_class
    # Uploads are scanned as in production when the machine runs clamd (Debian's socket, or CLAMD_SOCKET);
    # otherwise the benchmark says so and measures the service without the scan.
    clamd_socket = os.environ.get("CLAMD_SOCKET", "/var/run/clamav/clamd.ctl")
    if os.path.exists(clamd_socket):
        env["CLAMD_SOCKET"] = clamd_socket
    else:
        env["KUNTADIGI_VIRUS_SCAN"] = "off"
        print(f"  uploads are not virus-scanned in this run: no clamd socket at {clamd_socket}", flush=True)
    return env


def recreate_database(args) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg.rstrip('/')}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{args.database}"')


def manage(env: dict[str, str], *arguments: str) -> None:
    subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Applicant:
    index: int
    email: str
    application_pk: int
    reference: str
    target_area_pks: list[int]
    late: bool = False
    address: str = "127.0.0.1"
    # What the client knows from the server's answers.
    version: int = 0
    csrf: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    saves: int = 0
    form: dict = field(default_factory=dict)  # what the project page holds in the browser now
    acked: dict | None = None  # the content of the last acknowledged save
    acked_version: int = 0
    unacknowledged: list[dict] = field(default_factory=list)  # saves whose answer never came
    attachment_sha256: str = ""
    acknowledged: int | None = None  # the version number of the receipt the submit redirected to
    receipt: tuple[int, str] | None = None  # (version number, fingerprint) read on the receipt page
    refused_on_time: bool = False  # an on-time submit refused (it reached the server after the deadline)
    submit_ended: float = 0.0
    refused_submit: bool = False
    refused_autosave_after_deadline: bool | None = None
    problems: list[str] = field(default_factory=list)


def build_applicants(args) -> tuple[list[Applicant], dict]:
    """Users, memberships and complete draft applications, with the ORM (fast), in one transaction."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from kuntadigi.accounts.models import Membership, User
    from kuntadigi.applications import drafting_rules, snapshot
    from kuntadigi.applications.models import Application, BudgetLine, Participant
    from kuntadigi.calls.models import Call, CostCategory
    from kuntadigi.registry.models import Organisation

    rng = random.Random(args.seed)
    call = Call.objects.get(slug="digi-2020")
    municipalities = list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_active=True)
        .valid_on(call.opens_at.astimezone(HKI).date())  # the map of the call's opening day
        .order_by("municipality_code")
    )
    areas = list(call.target_areas.order_by("number").values_list("pk", flat=True))
    categories = {c.code: c for c in CostCategory.objects.filter(call=call)}
    password = make_password(PASSWORD)  # one Argon2 hash for all: setting up stays fast, signing in stays real
    prefix = drafting_rules.reference_prefix(call.slug)
    created = call.closes_at - timedelta(days=3)
    applicants: list[Applicant] = []
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(email=f"rush{i:04d}@bench.invalid", password=password, full_name=f"Hakija {i}", language="fi", date_joined=created)
            for i in range(args.applicants)
        )
        leads = [municipalities[i % len(municipalities)] for i in range(args.applicants)]
        Membership.objects.bulk_create(
            Membership(user=user, organisation=lead, role=Membership.Role.ADMIN, status=Membership.Status.APPROVED, requested_at=created, decided_at=created)
            for user, lead in zip(users, leads, strict=True)
        )
        applications = Application.objects.bulk_create(
            Application(
                call=call,
                reference=f"{prefix}-{i + 1:04d}",
                lead=lead,
                language="fi",
                project_name=f"Yhteinen digikunta {i}",
                start_date=call.project_end_latest.replace(year=2021, month=1, day=1),
                end_date=call.project_end_latest,
                contact_name=user.full_name,
                contact_email=user.email,
                declaration_not_excluded=True,
                requested_grant=Decimal("12750.00"),  # 85 % of 15 000 €
                created_by=user,
                created_at=created,
                updated_at=created,
                **{name: f"{FILLER}({name} {i})" for name in TEXT_FIELDS},
            )
            for i, (user, lead) in enumerate(zip(users, leads, strict=True))
        )
        participants = []
        for i, (application, lead) in enumerate(zip(applications, leads, strict=True)):
            partner = municipalities[(i + len(municipalities) // 2) % len(municipalities)]
            if partner.pk == lead.pk:
                partner = municipalities[(i + 1) % len(municipalities)]
            participants.append(Participant(application=application, organisation=lead, role=Participant.Role.LEAD))
            participants.append(Participant(application=application, organisation=partner, role=Participant.Role.PARTNER))
        participants = Participant.objects.bulk_create(participants)
        BudgetLine.objects.bulk_create(
            BudgetLine(
                application=p.application,
                participant=p,
                category=categories["staff" if p.role == Participant.Role.LEAD else "services"],
                amount=Decimal("10000.00") if p.role == Participant.Role.LEAD else Decimal("5000.00"),
                description="Projektipäällikkö" if p.role == Participant.Role.LEAD else "Koulutus",
            )
            for p in participants
        )
        Through = Application.target_areas.through
        chosen = {application.pk: rng.sample(areas, 2) for application in applications}
        Through.objects.bulk_create(Through(application_id=pk, targetarea_id=area) for pk, pair in chosen.items() for area in pair)
        partners = list(
            Participant.objects.filter(application__in=applications, role=Participant.Role.PARTNER).prefetch_related("budget_lines__category", "application")
        )
        for p in partners:
            p.confirmed_at = created + timedelta(days=1)
            p.confirmed_by = p.application.created_by
            p.confirmed_budget_hash = snapshot.partner_budget_hash(p)
        Participant.objects.bulk_update(partners, ["confirmed_at", "confirmed_by", "confirmed_budget_hash"])

    late = set(rng.sample(range(args.applicants), args.late))
    for i, (user, application) in enumerate(zip(users, applications, strict=True)):
        applicants.append(
            Applicant(
                index=i,
                email=user.email,
                application_pk=application.pk,
                reference=application.reference,
                target_area_pks=sorted(chosen[application.pk]),
                late=i in late,
                address=f"127.0.{1 + i // 250}.{1 + i % 250}",
            )
        )
    return applicants, {"call_pk": call.pk, "closes_at": call.closes_at}


# ── The HTTP client ──────────────────────────────────────────────────────────────────────────────


class Stats:
    """Latency and outcome per request type and phase."""

    def __init__(self):
        self.latency: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.errors: dict[tuple[str, str], int] = defaultdict(int)
        self.expected_refusals: dict[tuple[str, str], int] = defaultdict(int)
        self.first: dict[tuple[str, str], float] = {}
        self.last: dict[tuple[str, str], float] = {}
        self.error_samples: list[str] = []

    def add(self, phase: str, kind: str, started: float, ended: float, ok: bool, note: str = "") -> None:
        key = (phase, kind)
        if ok:
            self.latency[key].append(ended - started)
            self.first[key] = min(self.first.get(key, started), started)
            self.last[key] = max(self.last.get(key, ended), ended)
        else:
            self.errors[key] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{phase}/{kind}: {note}")

    def throughput(self, phase: str, kind: str, seconds: float | None = None) -> float:
        key = (phase, kind)
        count = len(self.latency.get(key, []))
        if not count:
            return 0.0
        span = seconds if seconds else (self.last[key] - self.first[key])
        return count / span if span > 0 else 0.0


class CpuMeter:
    """CPU seconds used by the server (gunicorn's workers) and by PostgreSQL's backends of the bench
    database, read from /proc. On a machine shared with other work, wall-clock throughput depends on
    the neighbours; CPU per request does not (much), so both are reported.

    A process that exits takes its CPU seconds with it (a PostgreSQL backend is replaced when Django
    closes a connection older than CONN_MAX_AGE), so `sample()` runs every half second during the
    load and keeps each process's last reading: what an exited process spent up to its last sample
    still counts."""

    def __init__(self, master_pid: int, database: str):
        self.master_pid = master_pid
        self.database = database
        self.tick = os.sysconf("SC_CLK_TCK")
        self.latest: dict[str, tuple[str, float]] = {}  # pid -> ("app" or "db", CPU seconds at its last reading)
        self.marks: dict[str, tuple[float, dict[str, tuple[str, float]]]] = {}

    def _cpu(self, pid: str) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime
        except (OSError, IndexError, ValueError):
            return None

    def _pids(self) -> tuple[list[str], list[str]]:
        app, db = [], []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    ppid = handle.read().rsplit(")", 1)[1].split()[1]
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if ppid == str(self.master_pid):
                app.append(pid)
            elif cmdline.startswith("postgres: ") and f" {self.database} " in cmdline:
                db.append(pid)
        return app, db

    def sample(self) -> None:
        app, db = self._pids()
        for kind, pids in (("app", app), ("db", db)):
            for pid in pids:
                value = self._cpu(pid)
                if value is not None:
                    self.latest[pid] = (kind, value)

    async def sample_every(self, seconds: float) -> None:
        while True:
            self.sample()
            await asyncio.sleep(seconds)

    def mark(self, name: str) -> None:
        """Remember every process's CPU now (and the last reading of those that exited)."""
        self.sample()
        self.marks[name] = (time.monotonic(), dict(self.latest))

    def between(self, start: str, end: str) -> tuple[float, float, float]:
        """(wall seconds, server CPU seconds, PostgreSQL CPU seconds) between two marks. A process
        first seen after `start` started after it: all its CPU counts."""
        (t0, before), (t1, after) = self.marks[start], self.marks[end]
        totals = {"app": 0.0, "db": 0.0}
        for pid, (kind, value) in after.items():
            totals[kind] += max(0.0, value - before.get(pid, (kind, 0.0))[1])
        return t1 - t0, totals["app"], totals["db"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD_INPUT = re.compile(r'type="password" name="([\w-]*?)password"')
VERSION_INPUT = re.compile(r'<input type="hidden" name="version" value="(\d+)"')
FINGERPRINT = re.compile(r'<code class="fingerprint">([0-9a-f]{64})</code>')
RECEIPT_PATH = re.compile(r"/applications/(\d+)/versions/(\d+)/$")


class Session:
    """One applicant's browser: its own loopback address and cookies.

    The server runs with DEBUG=0, as behind a TLS proxy: cookies are Secure and requests say
    X-Forwarded-Proto: https. httpx would not send Secure cookies over plain http, so the session keeps
    them itself; POSTs carry the Origin a browser sends, which Django's CSRF check compares."""

    def __init__(self, base: str, address: str, stats: Stats, timeout: float = 60.0):
        import httpx

        self.base = base
        self.origin = "https://" + base.split("://", 1)[1]
        self.stats = stats
        self.cookies: dict[str, str] = {}
        # A connection idle for longer than this is not reused: gunicorn closes idle keep-alive connections
        # after 5 s (GUNICORN_KEEPALIVE), and a request sent just then would find the connection closed.
        transport = httpx.AsyncHTTPTransport(local_address=address, retries=0, limits=httpx.Limits(keepalive_expiry=2.0))
        self.client = httpx.AsyncClient(base_url=base, transport=transport, timeout=timeout, follow_redirects=False)

    async def close(self):
        await self.client.aclose()

    def _headers(self, extra: dict | None = None, post: bool = False) -> dict:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "fi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if post:
            headers["Origin"] = self.origin
        if extra:
            headers.update(extra)
        return headers

    def _remember(self, response) -> None:
        for raw in response.headers.get_list("set-cookie"):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in raw.lower() or value in ('""', ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        self.client.cookies.clear()

    async def request(self, phase: str, kind: str, method: str, path: str, *, expect: tuple[int, ...], headers=None, **kwargs):
        """The response, or None when it failed (counted as an error of `kind` in `phase`)."""
        started = time.monotonic()
        try:
            response = await self.client.request(method, path, headers=self._headers(headers, post=method == "POST"), **kwargs)
        except Exception as error:
            self.stats.add(phase, kind, started, time.monotonic(), False, f"{type(error).__name__}: {error}")
            return None
        ended = time.monotonic()
        self._remember(response)
        ok = response.status_code in expect
        self.stats.add(phase, kind, started, ended, ok, f"HTTP {response.status_code} {path}")
        return response if ok else None


# ── The applicant's steps ────────────────────────────────────────────────────────────────────────


def initial_form(applicant: Applicant) -> dict:
    """The project page as build_applicants filled it, as the browser holds it after loading the page."""
    return {
        "project_name": f"Yhteinen digikunta {applicant.index}",
        "language": "fi",
        "target_areas": [str(pk) for pk in applicant.target_area_pks],
        **{name: f"{FILLER}({name} {applicant.index})" for name in TEXT_FIELDS},
        "start_date": "2021-01-01",
        "end_date": "2022-10-31",
        "contact_name": f"Hakija {applicant.index}",
        "contact_email": applicant.email,
        "contact_phone": "",
        "declaration_not_excluded": "on",
    }


def type_text(applicant: Applicant, rng: random.Random, whole_form: bool) -> None:
    """The applicant writes between two autosaves: in one text section (or, with --whole-form, in all)."""
    applicant.saves += 1
    n = applicant.saves
    names = TEXT_FIELDS if whole_form else (rng.choice(TEXT_FIELDS),)
    for name in names:
        if name == "summary":
            applicant.form[name] = f"Yhteishanke {applicant.index}: sähköinen päätöksenteko, tallennus {n}."
        else:
            applicant.form[name] = f"{FILLER * (2 + rng.randrange(4))}({name} {applicant.index}, tallennus {n})"


def autosave_body(applicant: Applicant, whole_form: bool) -> dict:
    """What application.js posts: the fields that differ from the last acknowledged save, named in
    `fields` (or, with --whole-form, every field without a list)."""
    if whole_form:
        return dict(applicant.form)
    changed = [name for name, value in applicant.form.items() if applicant.acked is None or applicant.acked.get(name) != value]
    return {**{name: applicant.form[name] for name in changed}, "fields": ",".join(changed)}


async def sign_in(session: Session, applicant: Applicant, phase: str = "sign-in") -> bool:
    page = await session.request(phase, "sign-in page", "GET", "/fi/sign-in/", expect=(200,))
    if page is None or not (match := CSRF_INPUT.search(page.text)):
        return False
    edit_path = f"/fi/applications/{applicant.application_pk}/edit/"
    # The password form's fields carry its prefix (e.g. pw-email): read it from the page.
    prefix = match_prefix.group(1) if (match_prefix := PASSWORD_INPUT.search(page.text)) else ""
    form = {"csrfmiddlewaretoken": match.group(1), f"{prefix}email": applicant.email, f"{prefix}password": PASSWORD, "next": edit_path}
    response = await session.request(phase, "sign-in", "POST", "/fi/sign-in/", data=form, expect=(302,))
    if response is None or response.headers.get("location") != edit_path:
        applicant.problems.append(f"sign-in went to {response.headers.get('location') if response else None}")
        return False
    return await open_project_page(session, applicant, phase)


async def open_project_page(session: Session, applicant: Applicant, phase: str) -> bool:
    page = await session.request(phase, "project page", "GET", f"/fi/applications/{applicant.application_pk}/edit/", expect=(200,))
    if page is None:
        return False
    csrf, version = CSRF_INPUT.search(page.text), VERSION_INPUT.search(page.text)
    if not csrf or not version:
        applicant.problems.append("project page without CSRF token or version")
        return False
    applicant.csrf, applicant.version = csrf.group(1), int(version.group(1))
    if not applicant.form:  # the page as loaded: what application.js compares its first autosave with
        applicant.form = initial_form(applicant)
        applicant.acked = dict(applicant.form)
    return True


async def autosave(session: Session, applicant: Applicant, rng: random.Random, phase: str, *, whole_form: bool, expect_refusal: bool = False) -> bool:
    type_text(applicant, rng, whole_form)
    data = dict(applicant.form)
    body = {**autosave_body(applicant, whole_form), "version": str(applicant.version)}
    # application/x-www-form-urlencoded, as static/js/application.js sends it (URLSearchParams of the form).
    headers = {"X-CSRFToken": applicant.csrf, "X-Requested-With": "fetch", "Accept": "application/json"}
    expect = (403,) if expect_refusal else (200,)
    kind = "autosave (refused late)" if expect_refusal else "autosave"
    path = f"/fi/applications/{applicant.application_pk}/autosave/"
    response = await session.request(phase, kind, "POST", path, data=body, headers=headers, expect=expect)
    if expect_refusal:
        applicant.refused_autosave_after_deadline = response is not None
        return response is not None
    if response is None:
        applicant.unacknowledged.append(data)  # may or may not have been stored
        return False
    answer = response.json()
    if not answer.get("ok"):
        applicant.problems.append(f"autosave answered {answer}")
        return False
    applicant.version = answer["version"]
    applicant.acked, applicant.acked_version = data, answer["version"]
    applicant.unacknowledged.clear()
    return True


def attachment_bytes(applicant: Applicant, rng: random.Random) -> bytes:
    """A small PDF of its own (the server reads the type from the content), ~60 kB."""
    body = b"".join(f"BT /F1 10 Tf 72 {700 - i} Td (Liite {applicant.index} rivi {i} {rng.random():.12f}) Tj ET\n".encode() for i in range(1200))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Length " + str(len(body)).encode() + b" >> stream\n" + body + b"endstream endobj\ntrailer << >>\n%%EOF\n"


async def upload_attachment(session: Session, applicant: Applicant, rng: random.Random, phase: str) -> bool:
    import hashlib

    content = attachment_bytes(applicant, rng)
    files = {"file": (f"liite-{applicant.index}.pdf", content, "application/pdf")}
    data = {"csrfmiddlewaretoken": applicant.csrf, "description": "Kustannusarvio"}
    path = f"/fi/applications/{applicant.application_pk}/attachments/"
    response = await session.request(phase, "attachment upload", "POST", path, data=data, files=files, expect=(302,))
    if response is None:
        return False
    applicant.attachment_sha256 = hashlib.sha256(content).hexdigest()
    # Back on the project page, as a person would be: an upload is a change, so the version moved on.
    return await open_project_page(session, applicant, phase)


async def review(session: Session, applicant: Applicant, phase: str) -> bool:
    page = await session.request(phase, "review page", "GET", f"/fi/applications/{applicant.application_pk}/submit/", expect=(200,))
    if page is None:
        return False
    if match := CSRF_INPUT.search(page.text):
        applicant.csrf = match.group(1)
    return True


async def submit(session: Session, applicant: Applicant, phase: str) -> None:
    path = f"/fi/applications/{applicant.application_pk}/submit/"
    kind = "submit (refused late)" if applicant.late else "submit"
    response = await session.request(phase, kind, "POST", path, data={"csrfmiddlewaretoken": applicant.csrf}, expect=(302,))
    applicant.submit_ended = time.monotonic()
    if response is None:
        return
    location = response.headers.get("location", "")
    receipt = RECEIPT_PATH.search(location)
    if applicant.late:
        applicant.refused_submit = receipt is None and location.endswith(path)
        if not applicant.refused_submit:
            applicant.problems.append(f"late submit went to {location}")
        return
    if receipt is None:
        applicant.refused_on_time = location.endswith(path)
        applicant.problems.append(f"submit went to {location}, not to a receipt")
        return
    applicant.acknowledged = int(receipt.group(2))
    page = await session.request(phase, "receipt page", "GET", location, expect=(200,))
    if page is not None and (match := FINGERPRINT.search(page.text)):
        applicant.receipt = (applicant.acknowledged, match.group(1))
    else:
        applicant.problems.append("the receipt page did not load or showed no fingerprint")


# ── Phases ───────────────────────────────────────────────────────────────────────────────────────


async def closed_loop(seconds: float, clients: int, one) -> None:
    """`clients` coroutines each calling `one(i)` back to back for `seconds`."""
    stop_at = time.monotonic() + seconds

    async def loop(i):
        while time.monotonic() < stop_at:
            await one(i)

    await asyncio.gather(*(loop(i) for i in range(clients)))


async def run_load(args, applicants: list[Applicant], base: str, deadline_at: float, stats: Stats, meter: CpuMeter) -> dict:
    """Everything the clients do. `deadline_at` is the monotonic instant at which the server's clock
    reaches the call's closing time (the server's clock is behind it by its start-up, at most ~2 s:
    the bench keeps 10 s away from the deadline on either side)."""
    rng = random.Random(args.seed + 1)
    sessions = {a.index: Session(base, a.address, stats) for a in applicants}
    timeline: dict[str, float] = {}
    sampler = asyncio.create_task(meter.sample_every(0.5))
    try:
        # Sign-in: everybody, a few at a time (Argon2 is meant to be slow).
        started = time.monotonic()
        gate = asyncio.Semaphore(16)

        async def signed_in(a):
            async with gate:
                return await sign_in(sessions[a.index], a)

        results = await asyncio.gather(*(signed_in(a) for a in applicants))
        timeline["sign-in"] = time.monotonic() - started
        active = [a for a, ok in zip(applicants, results, strict=True) if ok]
        print(f"  signed in {len(active)}/{len(applicants)} in {timeline['sign-in']:.1f} s", flush=True)

        async def closed_phase(phase: str, marks: str, clients: int, one) -> None:
            """`clients` back to back for --phase-seconds, CPU marked "<marks> start" and "<marks> end"."""
            started = time.monotonic()
            meter.mark(f"{marks} start")
            await closed_loop(args.phase_seconds, clients, one)
            meter.mark(f"{marks} end")
            timeline[phase] = time.monotonic() - started

        # The ceiling: a bare view that inserts one row; then the same insert for the signed-in user
        # (what reading the session and the user adds to it).
        clients = [sessions[a.index] for a in active[: args.concurrency]]

        async def bare(i):
            await clients[i].request("ceiling", "bare insert", "POST", "/bench/insert/", data={"payload": "rush"}, expect=(200,))

        async def bare_signed_in(i):
            await clients[i].request("signed-in ceiling", "signed-in insert", "POST", "/bench/insert-signed-in/", data={"payload": "rush"}, expect=(200,))

        await closed_phase("ceiling", "ceiling", len(clients), bare)
        await closed_phase("signed-in ceiling", "signed-in", len(clients), bare_signed_in)

        # Autosave at saturation: the same number of clients, back to back.
        savers = active[: args.concurrency]

        async def saturate(i):
            await autosave(sessions[savers[i].index], savers[i], rng, "autosave saturation", whole_form=args.whole_form)

        await closed_phase("autosave saturation", "saturation", len(savers), saturate)
        left = deadline_at - time.monotonic()
        print(f"  ceiling and saturation measured; the rush starts {left:.0f} s before the deadline", flush=True)
        if left < 90:
            print(f"  WARNING: only {left:.0f} s of rush (signing in took {timeline['sign-in']:.0f} s): give a longer --lead", flush=True)

        # The rush.
        rush_start = time.monotonic()
        meter.mark("rush start")
        last_on_time = deadline_at - 10
        on_time = [a for a in active if not a.late]
        burst = set(rng.sample([a.index for a in on_time], len(on_time) * 2 // 5))
        burst_at = deadline_at - 25
        window_start = max(rush_start + 20, deadline_at - 100)
        plans = {}
        for a in active:
            if a.late:
                submit_at = deadline_at + 10 + rng.uniform(0, 10)
                stop_saving = deadline_at - 12
            elif a.index in burst:
                submit_at = stop_saving = burst_at
            else:
                submit_at = stop_saving = rng.uniform(window_start, last_on_time - 5)
            upload_at = rng.uniform(rush_start + 2, max(rush_start + 3, min(submit_at, stop_saving) - 15))
            plans[a.index] = (submit_at, stop_saving, upload_at)
        burst_ready = asyncio.Event()
        burst_waiting = [0]

        async def applicant_rush(a: Applicant):
            session = sessions[a.index]
            submit_at, stop_saving, upload_at = plans[a.index]
            uploaded = False
            await asyncio.sleep(rng.uniform(0, args.autosave_every))
            while True:
                now = time.monotonic()
                if not uploaded and now >= upload_at:
                    await upload_attachment(session, a, rng, "rush")
                    uploaded = True
                    continue
                if now >= stop_saving - 4:  # the last save comes before the review
                    break
                if not await autosave(session, a, rng, "rush", whole_form=args.whole_form):
                    # As a person would after "saving did not work": reload the page (and its version).
                    await open_project_page(session, a, "rush")
                await asyncio.sleep(max(0.0, min(args.autosave_every * rng.uniform(0.7, 1.3), stop_saving - 4 - time.monotonic())))
            if not uploaded:
                await upload_attachment(session, a, rng, "rush")
            if not a.late:
                await review(session, a, "rush")
            if a.index in burst:
                burst_waiting[0] += 1
                if burst_waiting[0] == len([x for x in active if x.index in burst]):
                    burst_ready.set()
            await asyncio.sleep(max(0.0, submit_at - time.monotonic()))
            if a.late:
                await review(session, a, "rush")
                await submit(session, a, "rush")
                await autosave(session, a, rng, "rush", whole_form=args.whole_form, expect_refusal=True)
            else:
                await submit(session, a, "burst" if a.index in burst else "rush")

        await asyncio.gather(*(applicant_rush(a) for a in active))
        meter.mark("rush end")
        timeline["rush"] = time.monotonic() - rush_start
        timeline["rush_autosave_span"] = max(0.0, min(deadline_at - 12, time.monotonic()) - rush_start)
        timeline["burst size"] = len(burst)
        timeline["burst ready before the instant"] = burst_ready.is_set()
    finally:
        sampler.cancel()
        await asyncio.gather(*(s.close() for s in sessions.values()))
    return timeline


# ── Checks in the database ───────────────────────────────────────────────────────────────────────


def check_database(applicants: list[Applicant], closes_at: datetime) -> list[str]:
    from kuntadigi.applications import snapshot
    from kuntadigi.applications.lifecycle import State
    from kuntadigi.applications.models import Application, Submission
    from kuntadigi.applications.submission import with_content

    failures: list[str] = []
    pks = [a.application_pk for a in applicants]
    applications = {app.pk: app for app in with_content(Application.objects.filter(pk__in=pks))}
    submissions = defaultdict(list)
    for sub in Submission.objects.filter(application_id__in=pks).order_by("application_id", "number"):
        submissions[sub.application_id].append(sub)

    for a in applicants:
        app = applications[a.application_pk]
        stored = submissions.get(a.application_pk, [])
        if a.acknowledged is not None:
            number, fingerprint = a.receipt or (a.acknowledged, stored[0].fingerprint if stored else "")
            if len(stored) != 1:
                failures.append(f"{a.reference}: a receipt, and {len(stored)} stored versions")
                continue
            sub = stored[0]
            if sub.number != number or sub.fingerprint != fingerprint:
                failures.append(f"{a.reference}: the receipt says v{number} {fingerprint[:12]}, stored v{sub.number} {sub.fingerprint[:12]}")
            if snapshot.fingerprint(sub.content) != fingerprint:
                failures.append(f"{a.reference}: the stored content no longer gives the receipt's fingerprint")
            if snapshot.fingerprint(snapshot.application_content(app)) != fingerprint:
                failures.append(f"{a.reference}: the application changed after it was submitted")
            if app.state != State.SUBMITTED:
                failures.append(f"{a.reference}: a receipt but the state is {app.state}")
            if sub.submitted_at > closes_at:
                failures.append(f"{a.reference}: stored as submitted at {sub.submitted_at}, after the deadline")
            content = sub.content
            if a.acked and any(content[name] != a.acked[name] for name in TEXT_FIELDS):
                failures.append(f"{a.reference}: the submitted texts are not the last acknowledged save")
            if a.attachment_sha256 and a.attachment_sha256 not in {att["sha256"] for att in content["attachments"]}:
                failures.append(f"{a.reference}: the uploaded attachment is not in the submitted version")
        elif a.late:
            if stored:
                failures.append(f"{a.reference}: submitted after the deadline and stored ({len(stored)} versions)")
            if not a.refused_submit:
                failures.append(f"{a.reference}: the late submission was not refused")
            if a.refused_autosave_after_deadline is not True:
                failures.append(f"{a.reference}: an autosave after the deadline was not refused")
            if app.state != State.DRAFT:
                failures.append(f"{a.reference}: late, yet its state is {app.state}")
        else:
            failures.append(f"{a.reference}: on time but no receipt ({'; '.join(a.problems) or 'a request failed'})")
            if stored:
                failures.append(f"{a.reference}: no receipt, yet {len(stored)} stored versions")
        # No acknowledged save lost: the draft (or the submitted application) holds the last one,
        # or, when later saves went unanswered, one of those.
        if a.acked:
            candidates = [a.acked, *a.unacknowledged]
            if not any(all(getattr(app, name) == c[name] for name in TEXT_FIELDS) for c in candidates):
                failures.append(f"{a.reference}: the draft lost the acknowledged save (version {a.acked_version})")
            if app.version < a.acked_version:
                failures.append(f"{a.reference}: version {app.version} is behind the acknowledged {a.acked_version}")
    extra = Submission.objects.filter(application_id__in=pks).count() - sum(1 for a in applicants if a.acknowledged is not None)
    if extra > 0:
        failures.append(f"{extra} stored versions that no applicant got a receipt for")
    return failures


# ── Report ───────────────────────────────────────────────────────────────────────────────────────


def machine() -> dict:
    import django

    memory = "?"
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip() or "?"
    return {"cpus": os.cpu_count(), "memory": memory, "python": platform.python_version(), "django": django.get_version(), "postgresql": pg}


def report(args, stats: Stats, timeline: dict, failures: list[str], info: dict, meter: CpuMeter) -> dict:
    rows = []
    for (phase, kind), values in sorted(stats.latency.items(), key=lambda item: list(stats.first).index(item[0]) if item[0] in stats.first else 0):
        seconds = None
        if phase == "rush" and kind == "autosave":
            seconds = timeline["rush_autosave_span"]
        rows.append(
            {
                "phase": phase,
                "request": kind,
                "count": len(values),
                "errors": stats.errors.get((phase, kind), 0),
                "per_second": round(stats.throughput(phase, kind, seconds), 1),
                "p50_ms": round(percentile(values, 50) * 1000, 1),
                "p95_ms": round(percentile(values, 95) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
                "max_ms": round(max(values) * 1000, 1),
            }
        )
    for (phase, kind), count in stats.errors.items():
        if (phase, kind) not in stats.latency:
            rows.append({"phase": phase, "request": kind, "count": 0, "errors": count})
    print()
    print(f"{'phase':<20} {'request':<24} {'count':>6} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for row in rows:
        if row["count"]:
            print(
                f"{row['phase']:<20} {row['request']:<24} {row['count']:>6} {row['errors']:>6} {row['per_second']:>7} "
                f"{row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8}"
            )
        else:
            print(f"{row['phase']:<20} {row['request']:<24} {0:>6} {row['errors']:>6}")
    ceiling = stats.throughput("ceiling", "bare insert")
    signed_in = stats.throughput("signed-in ceiling", "signed-in insert")
    saturated = stats.throughput("autosave saturation", "autosave")
    burst = stats.throughput("burst", "submit")
    rush_autosave = [row for row in rows if row["phase"] == "rush" and row["request"] == "autosave"]
    errors = sum(stats.errors.values())
    figures = {
        "machine": info["machine"],
        "server": info["server"],
        "applicants": args.applicants,
        "late": args.late,
        "timeline_s": {k: round(v, 1) if isinstance(v, float) else v for k, v in timeline.items()},
        "ceiling_per_s": round(ceiling, 1),
        "autosave_saturated_per_s": round(saturated, 1),
        "autosave_ratio": round(saturated / ceiling, 2) if ceiling else None,
        "signed_in_ceiling_per_s": round(signed_in, 1),
        "autosave_ratio_signed_in": round(saturated / signed_in, 2) if signed_in else None,
        "submit_burst_per_s": round(burst, 1),
        "submit_ratio": round(burst / ceiling, 2) if ceiling else None,
        "rush_autosave_p95_ms": rush_autosave[0]["p95_ms"] if rush_autosave else None,
        "errors": errors,
        "receipts": info["receipts"],
        "late_refused": info["late_refused"],
        "refused_on_time": info["refused_on_time"],
        "failures": failures,
        "rows": rows,
    }
    cpu = {}
    for label, start, end, key in (
        ("bare insert", "ceiling start", "ceiling end", ("ceiling", "bare insert")),
        ("signed-in insert", "signed-in start", "signed-in end", ("signed-in ceiling", "signed-in insert")),
        ("autosave", "saturation start", "saturation end", ("autosave saturation", "autosave")),
    ):
        wall, app_cpu, db_cpu = meter.between(start, end)
        count = len(stats.latency.get(key, [])) or 1
        cpu[label] = {
            "server_ms": round(app_cpu / count * 1000, 2),
            "postgres_ms": round(db_cpu / count * 1000, 2),
            "cores_busy": round((app_cpu + db_cpu) / wall, 2),
        }
    wall, app_cpu, db_cpu = meter.between("rush start", "rush end")
    cpu["rush (all requests)"] = {"server_s": round(app_cpu, 1), "postgres_s": round(db_cpu, 1), "cores_busy": round((app_cpu + db_cpu) / wall, 2)}
    figures["cpu"] = cpu
    bare_cost = cpu["bare insert"]["server_ms"] + cpu["bare insert"]["postgres_ms"]
    save_cost = cpu["autosave"]["server_ms"] + cpu["autosave"]["postgres_ms"]
    figures["autosave_cpu_ratio"] = round(bare_cost / save_cost, 2) if save_cost else None
    print()
    print(f"timeline: {figures['timeline_s']}")
    print(
        f"CPU per request (server + PostgreSQL): bare insert {cpu['bare insert']}, signed-in insert {cpu['signed-in insert']}, "
        f"autosave {cpu['autosave']}; rush {cpu['rush (all requests)']}"
    )
    print(f"autosave costs {save_cost:.1f} ms of CPU against {bare_cost:.1f} ms for the bare insert: ratio by CPU {figures['autosave_cpu_ratio']}")
    print(f"ceiling (bare insert, {args.concurrency} clients): {ceiling:.1f} req/s")
    print(f"signed-in insert (the same, for the signed-in user): {signed_in:.1f} req/s")
    print(
        f"autosave at saturation ({args.concurrency} clients): {saturated:.1f} req/s = {figures['autosave_ratio']} x ceiling (target >= 0.5), "
        f"{figures['autosave_ratio_signed_in']} x the signed-in insert"
    )
    print(f"submit burst ({timeline.get('burst size')} at one instant): {burst:.1f} req/s = {figures['submit_ratio']} x ceiling")
    print(f"rush autosave p95: {figures['rush_autosave_p95_ms']} ms (target < 250)")
    print(f"receipts: {info['receipts']}; late submissions refused: {info['late_refused']}/{args.late}; request errors: {errors}")
    if info["refused_on_time"]:
        print(f"on-time submissions refused because they reached the server after the deadline (too slow): {info['refused_on_time']}")
    for sample in stats.error_samples:
        print(f"  error: {sample}")
    if failures:
        print(f"DATABASE CHECK FAILED ({len(failures)}):")
        for failure in failures[:50]:
            print(f"  - {failure}")
    else:
        print("database check: every receipt stored once and unchanged, every late submission refused, no acknowledged save lost")
    return figures


# ── Main ─────────────────────────────────────────────────────────────────────────────────────────


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import httpx

    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped with status {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="deadline-rush-"))
    anchor = CLOSES_2020 - timedelta(seconds=args.lead)
    env = server_environ(args, workdir, anchor)
    print(f"deadline rush: {args.applicants} applicants ({args.late} late), database {args.database}, work directory {workdir}", flush=True)

    t = time.monotonic()
    recreate_database(args)
    setup_env = {**env, "KUNTADIGI_NOW": (CLOSES_2020 - timedelta(hours=1)).isoformat()}
    manage(setup_env, "migrate", "--no-input")
    manage(setup_env, "load_reference_data")
    manage(setup_env, "load_calls")
    manage(setup_env, "collectstatic", "--no-input")
    os.environ.update(setup_env)
    import django

    django.setup()
    applicants, call = build_applicants(args)
    from django.db import connections

    connections.close_all()
    print(f"  set up in {time.monotonic() - t:.1f} s", flush=True)

    base = f"http://127.0.0.1:{args.port}"
    server = worker = None
    meter = None
    stats = Stats()
    try:
        launched = time.monotonic()
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env)
        worker_log = open(workdir / "worker.log", "wb")
        worker = subprocess.Popen([PYTHON, "manage.py", "db_worker", "--interval", "1"], cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT)
        deadline_at = launched + args.lead
        wait_until_up(base, server)
        print(f"  server up in {time.monotonic() - launched:.1f} s; the call closes in {deadline_at - time.monotonic():.0f} s", flush=True)
        meter = CpuMeter(server.pid, args.database)
        load_before = os.getloadavg()
        timeline = asyncio.run(run_load(args, applicants, base, deadline_at, stats, meter))
        timeline["load average before/after"] = f"{load_before[0]:.1f} / {os.getloadavg()[0]:.1f}"
    finally:
        stop(server)
        stop(worker)
    failures = check_database(applicants, call["closes_at"])
    failures += [f"{a.reference}: {problem}" for a in applicants for problem in a.problems if a.acknowledged is not None]
    server_info = {
        "worker_class": env.get("GUNICORN_WORKER_CLASS", "gthread (gunicorn.conf.py)"),
        "workers": env.get("GUNICORN_WORKERS", f"2 x {os.cpu_count()} + 1"),
        "threads": env.get("GUNICORN_THREADS", "4 (gunicorn.conf.py)"),
    }
    info = {
        "machine": machine(),
        "server": server_info,
        "receipts": sum(1 for a in applicants if a.acknowledged is not None),
        "refused_on_time": sum(1 for a in applicants if a.refused_on_time),
        "late_refused": sum(1 for a in applicants if a.late and a.refused_submit),
    }
    figures = report(args, stats, timeline, failures, info, meter)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    ok = not failures and figures["errors"] == 0
    print("RESULT: " + ("nothing lost, no errors" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
