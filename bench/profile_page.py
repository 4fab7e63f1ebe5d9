"""Profile one client page in-process, as the load bench serves it (DEBUG off, bench settings).

Logs in as a generated user of the database `bench/national.py` wrote, requests the page once to
warm up, then `--runs` times under cProfile; prints the median time, the queries of one request
and the functions with the most cumulative time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espace_load .venv/bin/python bench/profile_page.py /espace/
    … bench/profile_page.py --login          # the login POST (u0000001)
    … bench/profile_page.py /bench/bare-login/ --time /espace/ /encours/   # medians, no profiler
    … bench/profile_page.py --api "/api/v1/loans?limit=100"   # with a token of grand-0001's establishment
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.national import BENCH_PASSWORD, environment


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?", default="/espace/")
    parser.add_argument("--user", default="grand-0001")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--login", action="store_true", help="profile the login POST instead of a page")
    parser.add_argument("--api", action="store_true", help="call the URLs with an API token (portfolio scope)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each query of one request")
    parser.add_argument(
        "--time",
        nargs="*",
        metavar="URL",
        help="time these URLs (and the first one) without the profiler, CPU and wall",
    )
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    os.environ.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "espace-profile-static"))
    environment()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as served
    from django.db import connection
    from django.test import Client

    headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"}

    def request() -> int:
        if args.login:
            client = Client(**headers)
            response = client.post("/connexion/", {"username": "u0000001", "password": BENCH_PASSWORD}, **headers)
            return response.status_code
        return client_page.get(args.url, **headers).status_code

    client_page = Client()
    if args.api:
        from datetime import timedelta

        from espace.accounts.models import User
        from espace.api.services import api_token_create
        from espace.core import clock

        admin = User.objects.select_related("establishment").get(username=args.user)
        issued = api_token_create(
            establishment=admin.establishment,
            created_by=admin,
            name="Profile",
            scopes=["portfolio"],
            expires_on=clock.today() + timedelta(days=30),
            allowed_networks=[],
        )
        headers["HTTP_AUTHORIZATION"] = f"Bearer {issued.clear}"
    elif not args.login:
        response = client_page.post("/connexion/", {"username": args.user, "password": BENCH_PASSWORD}, **headers)
        assert response.status_code == 302, response.status_code
    status = request()
    if args.time is not None:
        for url in [args.url, *args.time]:
            client_page.get(url, **headers)  # warm-up
            walls, cpus = [], []
            for _ in range(args.runs):
                started, cpu = time.perf_counter(), time.process_time()
                response = client_page.get(url, **headers)
                code, size = response.status_code, len(response.content)
                walls.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
            print(
                f"{url}: HTTP {code}, {size:,} bytes, median {statistics.median(walls) * 1000:.2f} ms wall, "
                f"{statistics.median(cpus) * 1000:.2f} ms CPU ({args.runs} runs)"
            )
        return 0
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        request()
    if args.explain:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            request()
        for query in captured.captured_queries:
            if not query["sql"].startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = [row[0] for row in cursor.fetchall()]
            print(f"{plan[-1].strip()}: {query['sql'][:300]}")
            if os.environ.get("PROFILE_PLANS"):
                print("\n".join(plan))
    profiler = cProfile.Profile()
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        profiler.enable()
        request()
        profiler.disable()
        timings.append(time.perf_counter() - started)
    print(
        f"{args.url if not args.login else 'login POST'}: HTTP {status}, {len(executed)} queries, median {statistics.median(timings) * 1000:.1f} ms (under the profiler)"
    )
    for sql in executed:
        print(f"  {sql[:160]}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
