"""Benchmark of the funded projects' follow-up at scale: the officials' follow-up lists of a call with
10,000 running projects (p50/p95 render time and the number of SQL queries, which must be the same as for
a call of 100 projects), and the export of a payment batch of 1,000 payments (time and peak memory,
against a batch of 100). Not a test; see bench/README.md and docs/performance.md.

    make bench-followup                                          # = .venv/bin/python bench/followup_bench.py
    .venv/bin/python bench/followup_bench.py --reuse             # measure again without generating
    BENCH_FOLLOWUP_SQLITE=1 .venv/bin/python bench/followup_bench.py   # a throwaway SQLite file

Steps: (1) unless --reuse, the database is made afresh (PostgreSQL: dropped and created; SQLite: the file
deleted), migrated, loaded with the municipalities and calls; `manage.py generate_bulk` gives digi-2019-2
--small and digi-2021 --large signed grants, and kuntadigi/demo/bulk_projects.py makes each grant a
running project with payment requests (approved and paid, waiting for a batch, submitted, checked),
payments, paid batches and reports, with bulk_create. (2) Static files are collected into a temporary
folder so that the pages render with DEBUG off. (3) In this process, with the clock at NOW, each list is
requested through Django's test Client signed in as the call's preparer (second factor given): after a
few warm-up requests, --repeat timed requests give p50 and p95; one more request counts the queries.
The bench exits with status 1 if a list takes a different number of queries for the two calls.
(4) Two open batches of the large call are made with the services (create_batch, add_payments) with
--export-small and --export-large waiting payments, and each is exported with `services_batches.export`
(pain.001.001.09 validated against the XSD + the accounting CSV, files stored under a temporary
MEDIA_ROOT) inside a transaction that is rolled back, so the same batch is exported --export-repeat
times for the time, then once more under tracemalloc for the peak of Python allocations, then its two
writers alone under tracemalloc to show where the memory goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchdb import ROOT, bench_env, fresh_database, manage

POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_followup"
SQLITE = f"sqlite:///{Path(tempfile.gettempdir()) / 'kuntadigi_bench_followup.sqlite3'}"
CALLS = {"small": "digi-2019-2", "large": "digi-2021"}
# The clock during the bench: the projects of both calls run, payment requests wait, reports are late.
NOW = datetime(2023, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
TARGET_MS = 200
APPROVER = "maksaja@bench.invalid"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def generate(env: dict, database: str, small: int, large: int, seed: int) -> None:
    fresh_database(database)
    started = time.perf_counter()
    manage(env, "migrate", "-v0")
    manage(env, "load_reference_data", "-v0")
    manage(env, "load_calls", "-v0")
    for key, count in (("small", small), ("large", large)):
        manage(
            env,
            "generate_bulk",
            "--call",
            CALLS[key],
            "--count",
            str(count),
            "--seed",
            str(seed),
            "--funded-share",
            "1",
            "--drafts-share",
            "0",
            "--ineligible-share",
            "0",
            "--publish",
            "-v0",
        )
    print(f"grants generated in {time.perf_counter() - started:.0f} s", flush=True)


def fill() -> None:
    """The running projects and their money (kuntadigi/demo/bulk_projects.py), in this process."""
    from kuntadigi import clock
    from kuntadigi.accounts.models import User
    from kuntadigi.calls.models import Call, CallRole
    from kuntadigi.demo import bulk_projects

    started = time.perf_counter()
    approver = User.objects.create_user(email=APPROVER, is_official=True, full_name="Maija Maksaja")
    for slug in CALLS.values():
        call = Call.objects.get(slug=slug)
        CallRole.objects.create(call=call, user=approver, role=CallRole.Role.PAYMENT_APPROVER)
        preparer = _preparer(call)
        bulk_projects.give_payer(call)
        now = clock.now()
        bulk_projects.running_projects(call, now=now)
        made = bulk_projects.fill(call, preparer=preparer, approver=approver, now=now)
        print(
            f"{slug}: {made.projects} running projects; payment requests {made.requests}; {made.payments} payments, "
            f"{made.paid_batches} paid batches; reports {made.reports}",
            flush=True,
        )
    print(f"projects filled in {time.perf_counter() - started:.0f} s", flush=True)


def _filled() -> bool:
    from kuntadigi.projects.models import FundedProject

    return FundedProject.objects.filter(application__call__slug=CALLS["large"]).exists()


def _preparer(call):
    from kuntadigi.calls.models import CallRole

    return CallRole.objects.filter(call=call, role=CallRole.Role.PREPARER).select_related("user").order_by("pk").first().user


def signed_in(person):
    """A test client with the person's session, both factors given (officials need the second factor)."""
    from django.test import Client

    from kuntadigi import clock
    from kuntadigi.mfa import services as mfa_services

    client = Client()
    client.force_login(person)
    session = client.session
    session[mfa_services.VERIFIED_AT] = clock.now().isoformat()
    session.save()
    return client


def measure_lists(repeat: int, warmup: int) -> bool:
    """The three lists for both calls; True when each list takes the same queries for both."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from kuntadigi.calls.models import Call
    from kuntadigi.projects.models import FundedProject

    lists = (("payment review list", "payment_review:list"), ("overdue list", "followup:overdue"), ("batches list", "payments_batches:list"))
    queries: dict[str, dict[str, int]] = {}
    for key, slug in CALLS.items():
        call = Call.objects.get(slug=slug)
        client = signed_in(_preparer(call))
        projects = FundedProject.objects.filter(application__call=call).count()
        print(f"{slug}: {projects} running projects")
        for name, url_name in lists:
            with translation.override("fi"):
                url = reverse(url_name, args=[slug])
            for _ in range(warmup):
                response = client.get(url)
                assert response.status_code == 200, (name, url, response.status_code)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, url, response.status_code)
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries.setdefault(name, {})[key] = len(captured)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            verdict = f"target p50 < {TARGET_MS} ms {'met' if p50 < TARGET_MS else 'NOT MET'}" if key == "large" else ""
            print(
                f"  {name:22} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {len(captured):3d} queries   {len(response.content) // 1024:5d} KiB   {verdict}",
                flush=True,
            )
    same = True
    for name, counts in queries.items():
        if counts["small"] != counts["large"]:
            same = False
            print(f"QUERIES DIFFER: {name} takes {counts['small']} queries for {CALLS['small']} and {counts['large']} for {CALLS['large']}", file=sys.stderr)
        else:
            print(f"{name}: {counts['small']} queries for both calls (constant)")
    return same


class _RolledBack(Exception):
    pass


def _rolled_back(action):
    """Run action() in a transaction that is rolled back afterwards; return what it returned."""
    from django.db import transaction

    result = []
    try:
        with transaction.atomic():
            result.append(action())
            raise _RolledBack
    except _RolledBack:
        pass
    return result[0]


def _peak(action) -> tuple[float, int]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        _rolled_back(action)
    finally:
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak


def measure_export(sizes: tuple[int, int], repeat: int) -> None:
    from django.db import transaction

    from kuntadigi import clock
    from kuntadigi.calls.models import Call
    from kuntadigi.payments import services_batches as services

    call = Call.objects.get(slug=CALLS["large"])
    preparer = _preparer(call)
    due = clock.helsinki(clock.now()).date() + timedelta(days=7)
    waiting = list(services.waiting(call).values_list("pk", flat=True))
    if len(waiting) < max(sizes):
        raise SystemExit(f"{call.slug} has {len(waiting)} payments waiting for a batch; the export needs {max(sizes)}")
    figures = {}
    for size in sizes:
        with transaction.atomic():  # the batch too is rolled back: --reuse finds the payments waiting again
            figures[size] = _export(services, call, preparer, due, waiting[:size], repeat)
            transaction.set_rollback(True)
    small, large = sizes
    ratio = lambda key: figures[large][key] / figures[small][key]  # noqa: E731
    print(
        f"ratios {large}/{small}: time {ratio('time'):.1f}×   peak memory {ratio('peak'):.1f}×   pain.001 writer {ratio('xml_peak'):.1f}×   "
        f"accounting CSV {ratio('csv_peak'):.1f}×   (flat memory would be ~1×, linear {large / small:.0f}×)"
    )


def _export(services, call, preparer, due, payments: list[int], repeat: int) -> dict:
    """Export an open batch of the payments `repeat` times for the time and once under tracemalloc, each
    time rolled back; then each file's writer alone under tracemalloc."""
    import io

    from kuntadigi import clock
    from kuntadigi.payments.models import PaymentBatch

    size = len(payments)
    batch = services.create_batch(preparer, call.pk, due)
    services.add_payments(preparer, batch.pk, payments)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        _rolled_back(lambda: services.export(preparer, batch.pk))
        times.append(time.perf_counter() - started)
    _elapsed, peak = _peak(lambda: services.export(preparer, batch.pk))
    payer = services.payer_account(call)
    batch = PaymentBatch.objects.select_related("call").get(pk=batch.pk)
    xml_sizes = []
    _t, xml_peak = _peak(
        lambda: xml_sizes.append(len(services.write_credit_transfer(batch, payer, message_id="BENCH", created_at=clock.helsinki(clock.now()))))
    )
    # The export writes the accounting CSV into a temporary file; into a BytesIO it stays in memory.
    _t, csv_peak = _peak(lambda: _accounting_to_file(services, batch))
    _t, csv_memory_peak = _peak(lambda: services.write_accounting(batch, io.BytesIO()))
    print(
        f"batch of {size:5d} payments: export p50 {statistics.median(times) * 1000:7.0f} ms (of {repeat})   peak {peak / 2**20:6.2f} MiB   "
        f"pain.001 writer alone {xml_peak / 2**20:6.2f} MiB ({xml_sizes[0] // 1024} KiB of XML)   accounting CSV writer alone {csv_peak / 2**20:5.2f} MiB"
        f" (into memory {csv_memory_peak / 2**20:5.2f} MiB)",
        flush=True,
    )
    return {"time": statistics.median(times), "peak": peak, "xml_peak": xml_peak, "csv_peak": csv_peak}


def _accounting_to_file(services, batch) -> str:
    with tempfile.TemporaryFile() as handle:
        return services.write_accounting(batch, handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = SQLITE if os.environ.get("BENCH_FOLLOWUP_SQLITE") else os.environ.get("BENCH_FOLLOWUP_DATABASE", POSTGRES)
    parser.add_argument(
        "--database", default=default, help=f"Database URL (default {POSTGRES}; BENCH_FOLLOWUP_SQLITE=1 for {SQLITE}). Dropped and made afresh."
    )
    parser.add_argument("--small", type=int, default=100, help="Grants of the small call (default 100).")
    parser.add_argument("--large", type=int, default=10_000, help="Grants of the large call (default 10,000).")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per list.")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--export-small", type=int, default=100, help="Payments in the small batch (default 100).")
    parser.add_argument("--export-large", type=int, default=1000, help="Payments in the large batch (default 1,000).")
    parser.add_argument("--export-repeat", type=int, default=5, help="Timed exports per batch.")
    parser.add_argument("--skip-lists", action="store_true", help="Measure the export only.")
    parser.add_argument("--reuse", action="store_true", help="Use the data already generated in the database.")
    args = parser.parse_args()

    static_root = str(Path(tempfile.gettempdir()) / "kuntadigi_bench_static")
    env = bench_env(args.database, static_root)
    media = tempfile.TemporaryDirectory(prefix="kuntadigi-bench-media-")
    env["MEDIA_ROOT"] = media.name
    if not args.reuse:
        generate(env, args.database, args.small, args.large, args.seed)
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from kuntadigi import clock

    clock.set_now(NOW)
    if not _filled():
        fill()
    print(
        f"database {args.database.rpartition('@')[2]}; {os.cpu_count()} CPUs; clock at {NOW:%Y-%m-%d %H:%M %Z}; "
        f"{args.repeat} timed requests per list after {args.warmup} warm-up"
    )
    print("load average before: {:.1f} {:.1f} {:.1f} (other processes on the machine slow every figure)".format(*os.getloadavg()), flush=True)
    same = args.skip_lists or measure_lists(args.repeat, args.warmup)
    measure_export((args.export_small, args.export_large), args.export_repeat)
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    media.cleanup()
    if not same:
        print("FAILED: a follow-up list's number of queries grows with the number of projects", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
