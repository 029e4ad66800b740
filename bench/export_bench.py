"""Benchmark of the open data exports: time and peak memory of the CSV and 360Giving downloads for
10,000 and 100,000 funded grants, through the real streaming views (the response is consumed as a
client would). Not a test: see bench/README.md.

    .venv/bin/python bench/export_bench.py                      # a throwaway SQLite file
    .venv/bin/python bench/export_bench.py --database postgres://postgres@127.0.0.1:5432/bench_export

Steps: (1) unless --reuse, the benchmark database is made afresh (SQLite: the file is deleted;
PostgreSQL: the database is dropped and created) and filled with `manage.py migrate`,
`load_reference_data`, `load_calls` and `manage.py generate_bulk ... --funded-share 1 --publish`,
which bulk-inserts the applications and their signed grant decisions: one call with the small count,
another with the large one. (2) Each export runs in its own subprocess, twice: once plain, for the
time and the peak resident set size (ru_maxrss), and once under tracemalloc, for the peak of Python
allocations. (3) The ratios large/small are printed: memory near 1 means it does not grow with
the number of grants.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

from benchdb import PYTHON, ROOT, bench_env, fresh_database, manage

CALLS = {"small": "digi-2019-2", "large": "digi-2021"}
FORMATS = {"csv": "data:call_csv", "360giving": "data:call_360giving", "xlsx": "data:call_xlsx"}


def prepare(database: str, small: int, large: int, seed: int) -> None:
    env = bench_env(database)
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
    print(f"prepared {small} + {large} funded grants in {time.perf_counter() - started:.0f} s", flush=True)


def measure(slug: str, fmt: str, traced: bool) -> dict:
    """Runs inside the subprocess: one download through the real view, consumed chunk by chunk."""
    import django

    django.setup()
    from django.http import StreamingHttpResponse
    from django.test import Client
    from django.urls import reverse

    from kuntadigi.publication import queries

    expected = queries.funded_decisions().filter(application__call__slug=slug).count()
    client = Client()
    url = reverse(FORMATS[fmt], kwargs={"slug": slug})
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = 0
    if isinstance(response, StreamingHttpResponse):
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    return {
        "slug": slug,
        "format": fmt,
        "grants": expected,
        "bytes": size,
        "seconds": round(seconds, 2),
        "tracemalloc_peak_mib": round(peak / 2**20, 2) if peak is not None else None,
        "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_one(database: str, slug: str, fmt: str, traced: bool) -> dict:
    command = [PYTHON, __file__, "--database", database, "--measure", slug, fmt] + (["--traced"] if traced else [])
    out = subprocess.run(command, cwd=ROOT, env=bench_env(database), check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite:////tmp/kuntadigi-bench-export.sqlite3", help="DATABASE_URL of the throwaway benchmark database")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--formats", default="csv,360giving", help="comma-separated: csv, 360giving, xlsx")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (skip generating)")
    parser.add_argument("--measure", nargs=2, metavar=("SLUG", "FORMAT"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(measure(*args.measure, traced=args.traced)))
        return

    if not args.reuse:
        prepare(args.database, args.small, args.large, args.seed)
    engine = "SQLite" if args.database.startswith("sqlite") else "PostgreSQL"
    print(f"\nOpen data exports on {engine} ({args.database}); Python {sys.version.split()[0]}")
    header = f"{'format':<11}{'grants':>9}{'MiB out':>9}{'seconds':>9}{'grants/s':>10}{'peak RSS MiB':>14}{'tracemalloc peak MiB':>22}"
    print(header)
    print("-" * len(header))
    results: dict[tuple[str, str], dict] = {}
    for fmt in args.formats.split(","):
        for key in ("small", "large"):
            plain = run_one(args.database, CALLS[key], fmt, traced=False)
            traced = run_one(args.database, CALLS[key], fmt, traced=True)
            row = {**plain, "tracemalloc_peak_mib": traced["tracemalloc_peak_mib"]}
            results[(fmt, key)] = row
            print(
                f"{fmt:<11}{row['grants']:>9}{row['bytes'] / 2**20:>9.1f}{row['seconds']:>9.1f}{row['grants'] / row['seconds']:>10.0f}"
                f"{row['maxrss_mib']:>14.1f}{row['tracemalloc_peak_mib']:>22.2f}",
                flush=True,
            )
    print()
    for fmt in args.formats.split(","):
        small, large = results[(fmt, "small")], results[(fmt, "large")]
        print(
            f"{fmt}: {large['grants']}/{small['grants']} grants: time x{large['seconds'] / small['seconds']:.1f}, "
            f"peak RSS x{large['maxrss_mib'] / small['maxrss_mib']:.2f}, "
            f"tracemalloc peak x{large['tracemalloc_peak_mib'] / small['tracemalloc_peak_mib']:.2f}"
        )


if __name__ == "__main__":
    main()
