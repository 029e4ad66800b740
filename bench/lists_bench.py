"""Benchmark of the lists at scale: p50/p95 render time of the officials' application list, the
screening list, the ranking list, an assessor's queue and the public results page of a call, at
10,000 applications. Not a test (no timed assertions in the test suite); see docs/performance.md.

    .venv/bin/python bench/lists_bench.py                                   # PostgreSQL db bench_lists
    .venv/bin/python bench/lists_bench.py --reuse                           # keep the generated data
    BENCH_LISTS_SQLITE=1 .venv/bin/python bench/lists_bench.py              # a throwaway SQLite file

Steps: (1) unless --reuse, the database is made afresh (PostgreSQL: dropped and created; SQLite: the
file deleted), migrated, loaded with the municipalities and calls, and filled by
`manage.py generate_bulk`: digi-2020 with --count applications in the usual mix (drafts, submitted,
screened, assessed, proposals, half of them decided) for the officials' lists, and digi-2021 with as
many, all decided and published, for the public results page. (2) Static files are collected into a
temporary folder so that the pages render with DEBUG off, as in production. (3) In this process, each
page is requested through Django's test Client (the whole middleware stack, templates included; no
network) signed in as the person who uses it: the call's preparer for the officials' lists, the
assessor with the most assignments for the queue, nobody for the public page. After a few warm-up
requests, --repeat timed requests give p50 and p95; one more request counts the SQL queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdb import ROOT, bench_env, fresh_database, manage

POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_lists"
SQLITE = f"sqlite:///{Path(tempfile.gettempdir()) / 'kuntadigi_bench_lists.sqlite3'}"
OFFICIALS_CALL = "digi-2020"
PUBLIC_CALL = "digi-2021"


def prepare(env: dict, database: str, count: int, seed: int) -> None:
    fresh_database(database)
    started = time.perf_counter()
    manage(env, "migrate", "-v0")
    manage(env, "load_reference_data", "-v0")
    manage(env, "load_calls", "-v0")
    manage(env, "generate_bulk", "--call", OFFICIALS_CALL, "--count", str(count), "--seed", str(seed))
    manage(env, "generate_bulk", "--call", PUBLIC_CALL, "--count", str(count), "--seed", str(seed + 1), "--publish")
    print(f"data generated in {time.perf_counter() - started:.0f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(repeat: int, warmup: int) -> list[dict]:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    from kuntadigi.accounts.models import User
    from kuntadigi.applications.models import Application
    from kuntadigi.calls.models import Call, CallRole

    call = Call.objects.get(slug=OFFICIALS_CALL)
    preparer = CallRole.objects.filter(call=call, role=CallRole.Role.PREPARER).select_related("user").first().user
    assessor = User.objects.filter(assignments__application__call=call).annotate(n=Count("assignments")).order_by("-n", "pk").first()
    total = Application.objects.filter(call=call).count()
    print(f"{OFFICIALS_CALL}: {total} applications; preparer {preparer.email}; assessor {assessor.email} with {assessor.n} assignments")

    from kuntadigi import clock
    from kuntadigi.mfa import services as mfa_services

    def signed_in(person) -> Client:
        """A client with the person's session, both factors given (officials need the second factor)."""
        client = Client()
        client.force_login(person)
        session = client.session
        session[mfa_services.VERIFIED_AT] = clock.now().isoformat()
        session.save()
        return client

    official = signed_in(preparer)
    assessing = signed_in(assessor)
    anonymous = Client()
    with translation.override("fi"):
        pages = [
            ("officials' application list", official, reverse("applications:official_list", args=[call.slug])),
            ("officials' application list, by amount, page 5", official, reverse("applications:official_list", args=[call.slug]) + "?sort=requested&page=5"),
            ("screening list", official, reverse("screening:list", args=[call.slug])),
            ("screening list, flagged by any check", official, reverse("screening:list", args=[call.slug]) + "?flag=any"),
            ("screening list, eligible, page 20", official, reverse("screening:list", args=[call.slug]) + "?state=eligible&page=20"),
            ("ranking list", official, reverse("decisions:ranking", args=[call.slug])),
            ("ranking list, page 10", official, reverse("decisions:ranking", args=[call.slug]) + "?page=10"),
            ("assessor's queue", assessing, reverse("assessment:queue")),
        ]
        try:
            pages.append(("public results page", anonymous, reverse("publication:call", args=[PUBLIC_CALL])))
        except NoReverseMatch:
            print("public results page: no URL publication:call yet, skipped")

    results = []
    for name, client, url in pages:
        for _ in range(warmup):
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, url, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result = {
            "page": name,
            "url": url,
            "p50_ms": statistics.median(times),
            "p95_ms": percentile(times, 0.95),
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
        }
        results.append(result)
        print(f"{name:52} p50 {result['p50_ms']:7.1f} ms   p95 {result['p95_ms']:7.1f} ms   {result['queries']:3d} queries   {result['bytes'] // 1024:5d} KiB")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = SQLITE if os.environ.get("BENCH_LISTS_SQLITE") else os.environ.get("BENCH_LISTS_DATABASE", POSTGRES)
    parser.add_argument("--database", default=default, help=f"Database URL (default {POSTGRES}; BENCH_LISTS_SQLITE=1 for {SQLITE}).")
    parser.add_argument("--count", type=int, default=10_000, help="Applications per call (default 10,000).")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="Use the data already generated in the database.")
    args = parser.parse_args()

    static_root = str(Path(tempfile.gettempdir()) / "kuntadigi_bench_static")
    env = bench_env(args.database, static_root)
    if not args.reuse:
        prepare(env, args.database, args.count, args.seed)
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    print(f"database {args.database.rpartition('@')[2]}; {os.cpu_count()} CPUs; {args.repeat} timed requests per page after {args.warmup} warm-up")
    print("load average before: {:.1f} {:.1f} {:.1f} (other processes on the machine slow every figure)".format(*os.getloadavg()))
    measure(args.repeat, args.warmup)
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
