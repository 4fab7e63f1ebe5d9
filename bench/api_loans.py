"""The API's loans endpoint at scale (make bench): each figure recorded against its target.

An establishment with 100 lines, then one with 20,000 lines (40 schedule rows each), each read by
its own token: queries per call and median latency of the first page (100 loans), a page deep
in the list (through its cursor), a filtered page, the answer 304 to If-None-Match, and the first
page of instalments due in a year. Target: the same number of queries at both sizes, a page in
under 50 ms (recorded for each call; exits 1 when one is missed).

Runs on the test database of DATABASE_URL (PostgreSQL in CI), created and dropped here.

    DATABASE_URL=postgres://… .venv/bin/python bench/api_loans.py [--lines 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench._results import record  # noqa: E402
from bench.portfolio_pages import build  # noqa: E402

SMALL = 100
TARGET_MS = 50


def measure(client, url: str, headers: dict[str, str], runs: int = 25) -> tuple[int, float, int]:
    from django.db import connection

    client.get(url, **headers)  # warm-up
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, **headers)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, **headers)
        timings.append(time.perf_counter() - started)
    return len(executed), statistics.median(timings) * 1000, response.status_code


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        return 0 if run(args.lines) else 1
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


def run(lines: int) -> bool:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from espace.api.http import cursor_encode
    from tests.api.factories import bearer, issue_token
    from tests.establishments.factories import EstablishmentFactory

    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # the bench measures pages, not the limit
    commune = EstablishmentFactory(commune=True)
    results: dict[str, dict[int, tuple[int, float, int]]] = {}
    for size, first in ((SMALL, 1_000_000), (lines, 2_000_000)):
        establishment = EstablishmentFactory()
        build(establishment, size, commune=commune, first_number=first)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        _token, clear = issue_token(establishment)
        headers = bearer(clear)
        client = Client()
        first_page = client.get("/api/v1/loans?limit=100", **headers)
        etag = first_page["ETag"]
        middle = cursor_encode([f"L{first + size // 2}"])  # the cursor a client holds half way through
        for name, url, extra in (
            ("loans, first page of 100", "/api/v1/loans?limit=100", {}),
            ("loans, page in the middle (cursor)", f"/api/v1/loans?limit=100&cursor={middle}", {}),
            ("loans, filtered (product, maturity)", "/api/v1/loans?product=plus&maturity_from=2055-01-01", {}),
            ("loans, If-None-Match → 304", "/api/v1/loans?limit=100", {"HTTP_IF_NONE_MATCH": etag}),
            ("instalments of 2027, first page", "/api/v1/instalments?due_from=2027-01-01&due_to=2027-12-31", {}),
        ):
            results.setdefault(name, {})[size] = measure(client, url, {**headers, **extra})
    print(f"[bench] database: {connection.vendor}")
    met = True
    for name, by_size in results.items():
        (q_small, t_small, s_small), (q_big, t_big, s_big) = by_size[SMALL], by_size[lines]
        verdict = "same queries" if q_small == q_big else "QUERIES GROW"
        verdict += f", {'under' if t_big < TARGET_MS else 'OVER'} {TARGET_MS} ms"
        print(
            f"[bench] API {name}: {q_small} queries / {t_small:.1f} ms at {SMALL} lines (HTTP {s_small}); "
            f"{q_big} queries / {t_big:.1f} ms at {lines:,} lines (HTTP {s_big}) — {verdict}"
        )
        met &= record(f"API {name}: queries at {lines:,} lines − at {SMALL}", q_big - q_small, "==", 0)
        met &= record(f"API {name}: median at {lines:,} lines", t_big, "<", TARGET_MS, " ms")
    return met


if __name__ == "__main__":
    sys.exit(main())
