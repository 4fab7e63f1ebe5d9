"""Load bench (make bench): the client pages under locust against gunicorn + PostgreSQL.

1. The database `BENCH_LOAD_DATABASE_URL` (default: the server of DATABASE_URL, database
   `espace_load`) is rebuilt by `bench/national.py` (BENCH_SCALE=small: a fiftieth of it, for a
   quick try; BENCH_LOAD_REUSE=1 keeps a database an earlier run built).
2. collectstatic (DEBUG off: hashed, compressed files, served by WhiteNoise), then gunicorn on
   `config.wsgi` with `bench.settings_bench` (the production settings plus `/bench/bare/`),
   `WEB_CONCURRENCY` workers (default 2), persistent connections (CONN_MAX_AGE, health checks).
3. locust headless (`bench/locustfile.py`), each scenario alone with 20 users for
   `BENCH_LOAD_SECONDS` (default 30; statistics reset once every user has started): the bare
   view (anonymous: the ceiling), the logged-in bare view (two bytes behind login_required: the
   session and the user every authenticated page reads, the client pages' anchor), login, then
   each client page of `SCENARIOS` (home, dashboard, loans list default / filtered / sorted /
   page 7, loan page, guaranteed debt of a commune guaranteeing 5,000 lines, disbursements,
   dossiers list, a dossier page, documents library, users list, a « fiche d'identité ») and each
   API page of `API_SCENARIOS` with the large establishment's token; then with 100 users: login
   alone, and the pages mixed at random for twice as long (one user in ten an administrator, who
   also opens the users list and the identity cards, one in ten a user of the guarantor commune).
4. Prints p50/p95/p99, requests/s and failures of each, the workers' RSS before and after, and
   records (bench._results):
   - the logged-in bare view's throughput ÷ the anonymous one's, target ≥ 0.5;
   - each client page's throughput ÷ the logged-in bare view's, target ≥ 0.5;
   - each API page's median latency ÷ the logged-in bare view's (same 20 users), target ≤ 1.5;
   - the pages mixed at 100 users: p95 < 1 s;
   - login throughput ÷ (cores ÷ the CPU time of one Argon2 verify, timed here with the
     production hasher), target ≥ 0.8;
   - failures over every run: 0.

    BENCH_SCALE=small DATABASE_URL=postgres://postgres@127.0.0.1:5432/espace_bench .venv/bin/python bench/load.py

`BENCH_LOAD_ONLY="bare view;loans list"` runs those scenarios only, at 20 users, and prints each
one's throughput ÷ the bare view's without recording anything (a quick try after a change).
"""

from __future__ import annotations

import csv
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._results import record  # noqa: E402
from bench.national import BENCH_PASSWORD, LARGE_CLIENT_NUMBER, LARGE_GUARANTOR_CLIENT_NUMBER  # noqa: E402
from tests.serving import gunicorn, workers_rss  # noqa: E402

USERS = 20
MIXED_USERS = 100
PAGE_TARGET = 0.5  # each client page ÷ the logged-in bare view
FLOOR_TARGET = 0.5  # the logged-in bare view ÷ the anonymous one
MIXED_P95_TARGET_MS = 1000
LOGIN_TARGET = 0.8
API_TARGET = 1.5  # an API page's median latency ÷ the logged-in bare view's, at the same concurrency
SCENARIOS = [
    "home",
    "dashboard",
    "loans list",
    "loans list, filtered",
    "loans list, sorted",
    "loans list, page 7",
    "loan page",
    "guaranteed debt",
    "disbursements",
    "dossiers list",
    "dossier page",
    "documents library",
    "users list",
    "fiche d'identité",
]
API_SCENARIOS = ["API loans list", "API instalments"]


def load_database_url() -> str:
    explicit = os.environ.get("BENCH_LOAD_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/espace_bench")
    if not base.startswith(("postgres://", "postgresql://")):
        raise SystemExit("the load bench runs on PostgreSQL: set DATABASE_URL or BENCH_LOAD_DATABASE_URL")
    return base.rsplit("/", 1)[0] + "/espace_load"


def server_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """What a production deployment sets (as tests/test_production.py does), DEBUG off."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(static_root)),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_HOST": "127.0.0.1",
        "CLAMD_HOST": os.environ.get("CLAMD_HOST", "127.0.0.1"),
        "CLAMD_PORT": os.environ.get("CLAMD_PORT", "3310"),
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(static_root.parent / "media"),
        "ESPACE_RUN_ENV": str(static_root.parent / "none.env"),
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "LOG_LEVEL": "WARNING",
        # As deployed on several machines (docs/deployment.md): the cache and the sessions read
        # through Redis. BENCH_REDIS_URL= (empty) measures the database cache and sessions instead.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        # The bench measures the API's pages, not its per-token limit (tested in tests/api).
        "API_RATE_LIMIT_PER_MINUTE": "100000000",
        # The rendered pages' cache as deployed; BENCH_PAGE_CACHE_SECONDS=0 measures every page rendered.
        "PAGE_CACHE_SECONDS": os.environ.get("BENCH_PAGE_CACHE_SECONDS", "3600"),
    }


def prepared(database_url: str) -> bool:
    """Whether the database holds what the generator writes (for BENCH_LOAD_REUSE)."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT count(*) FROM establishments_establishment WHERE client_number = %s", [LARGE_CLIENT_NUMBER]
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def line_ids(database_url: str, path: Path, count: int = 2000) -> None:
    """Public ids of lines of the large establishment, spread over its whole list, for the loan page."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT l.public_id FROM portfolio_financingline l JOIN establishments_establishment e "
            "ON e.id = l.borrower_id WHERE e.client_number = %s ORDER BY l.number",
            [LARGE_CLIENT_NUMBER],
        ).fetchall()
    step = max(1, len(rows) // count)
    path.write_text("\n".join(str(row[0]) for row in rows[::step]) + "\n", encoding="ascii")


def public_ids(database_url: str, path: Path, sql: str, count: int = 500) -> None:
    """Public ids the query returns (the large establishment's dossiers or users), spread over its list."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(sql, [LARGE_CLIENT_NUMBER]).fetchall()
    step = max(1, len(rows) // count)
    path.write_text("\n".join(str(row[0]) for row in rows[::step]) + "\n", encoding="ascii")


def guarantor_users(database_url: str) -> str:
    """The usernames of the large guarantor commune's users (they open its guaranteed debt)."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT u.username FROM accounts_user u JOIN establishments_establishment e "
            "ON e.id = u.establishment_id WHERE e.client_number = %s ORDER BY u.username",
            [LARGE_GUARANTOR_CLIENT_NUMBER],
        ).fetchall()
    if not rows:
        raise SystemExit("the national portfolio has no user of the large guarantor: rebuild it (no BENCH_LOAD_REUSE)")
    return " ".join(row[0] for row in rows)


def api_token(env: dict[str, str]) -> str:
    """A token of the large establishment (portfolio scope), issued by its first administrator
    through the service, as the « Accès API » page does; the clear value is printed once."""
    code = (
        "import django; django.setup()\n"
        "from datetime import timedelta\n"
        "from espace.accounts.models import User\n"
        "from espace.api.services import api_token_create\n"
        "from espace.core import clock\n"
        "admin = User.objects.select_related('establishment').get(username='grand-0001')\n"
        "issued = api_token_create(establishment=admin.establishment, created_by=admin, name='Bench',"
        " scopes=['portfolio'], expires_on=clock.today() + timedelta(days=30), allowed_networks=[])\n"
        "print(issued.clear)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip().splitlines()[-1]


def argon2_verify_seconds(env: dict[str, str]) -> float:
    """The CPU time of one verification of a password with the production hasher (the mean of 20,
    in a child process with the server's settings: the same Argon2id parameters).

    CPU time, not wall time: libargon2 computes the hash's lanes (parallelism 8) on several
    threads, so on an idle machine one verify takes less wall time than CPU time (98 ms against
    164 ms here) — but a core busy with it does no other login meanwhile. Cores ÷ CPU time is
    what the machine can verify per second; both times are printed."""
    code = (
        "import django, os, statistics, time; django.setup()\n"
        "from django.contrib.auth.hashers import check_password, make_password, get_hasher\n"
        f"encoded = make_password({BENCH_PASSWORD!r}); times = []\n"
        "cpu = time.process_time()\n"
        "for _ in range(20):\n"
        "    started = time.perf_counter(); assert check_password("
        f"{BENCH_PASSWORD!r}, encoded); times.append(time.perf_counter() - started)\n"
        "cpu = (time.process_time() - cpu) / 20\n"
        "from concurrent.futures import ThreadPoolExecutor\n"  # the C hasher releases the GIL
        "cores = os.cpu_count() or 1; started = time.perf_counter()\n"
        "with ThreadPoolExecutor(cores) as pool:\n"
        f"    list(pool.map(lambda _: check_password({BENCH_PASSWORD!r}, encoded), range(10 * cores)))\n"
        "rate = 10 * cores / (time.perf_counter() - started)\n"
        "print(get_hasher().algorithm, statistics.median(times), cpu, rate)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300
    )
    algorithm, seconds, cpu, rate = done.stdout.split()
    print(
        f"[load] one {algorithm} verify (production hasher): {float(seconds) * 1000:.1f} ms "
        f"(median of 20; {float(cpu) * 1000:.1f} ms of CPU time each); {os.cpu_count()} threads verifying "
        f"side by side: {float(rate):.1f} verifies/s (for information)"
    )
    return float(cpu)


def locust(
    host: str, classes: list[str], users: int, seconds: int, scenario: str, folder: Path, env: dict[str, str]
) -> dict[str, dict[str, float]]:
    """One headless locust run; the CSV statistics of each request name."""
    prefix = folder / scenario.replace(" ", "_")
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--reset-stats",
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        *classes,
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**env, "BENCH_SCENARIO": scenario},
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: some requests failed, which the figures report
        raise RuntimeError(f"locust failed ({done.returncode}): {done.stderr[-2000:]}")
    stats: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            stats[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": number(row["50%"]),
                "p95": number(row["95%"]),
                "p99": number(row["99%"]),
            }
    with open(f"{prefix}_failures.csv", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            print(f"[load]   failure: {row['Name']}: {row['Error'][:200]} ×{row['Occurrences']}")
    return stats


def number(text: str) -> float:
    """A CSV figure of locust; N/A (no request since the statistics restarted) is 0."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def show(label: str, stats: dict[str, float]) -> None:
    print(
        f"[load] {label}: {stats['rps']:,.1f} req/s, p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, "
        f"p99 {stats['p99']:.0f} ms, {stats['failures']:.0f} failures of {stats['requests']:,.0f}",
        flush=True,
    )


def main() -> int:
    database_url = load_database_url()
    name = database_url.rsplit("/", 1)[1]
    if not name.startswith("espace_"):
        raise SystemExit(f"refusing to use database {name!r}: the load bench rebuilds espace_* databases only")
    scale = os.environ.get("BENCH_SCALE") or "full"
    workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS") or 30)
    reuse = os.environ.get("BENCH_LOAD_REUSE") == "1" and prepared(database_url)
    only = {name.strip() for name in os.environ.get("BENCH_LOAD_ONLY", "").split(";") if name.strip()}
    if not reuse:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "national.py"), "--scale", scale],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url},
            check=True,
        )
        print(f"[load] database {name} generated ({scale}) in {time.perf_counter() - started:.0f} s")
    else:
        print(f"[load] database {name} reused (BENCH_LOAD_REUSE=1)")

    with tempfile.TemporaryDirectory(prefix="espace-load-") as temporary:
        folder = Path(temporary)
        env = server_environment(database_url, folder / "static")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        verify = argon2_verify_seconds(env)
        if env["REDIS_URL"]:  # the database was rebuilt: no session or cached user of an earlier run
            redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        lines_file = folder / "lines.txt"
        line_ids(database_url, lines_file)
        dossiers_file = folder / "dossiers.txt"
        public_ids(
            database_url,
            dossiers_file,
            "SELECT r.public_id FROM loan_requests_loanrequest r JOIN establishments_establishment e "
            "ON e.id = r.establishment_id WHERE e.client_number = %s ORDER BY r.id",
        )
        members_file = folder / "members.txt"
        public_ids(
            database_url,
            members_file,
            "SELECT u.public_id FROM accounts_user u JOIN establishments_establishment e "
            "ON e.id = u.establishment_id WHERE e.client_number = %s ORDER BY u.id",
        )
        with gunicorn(env, workers=workers, log=folder / "gunicorn.log") as (host, server):
            rss_before = [kb // 1024 for kb in workers_rss(server.pid)]
            print(f"[load] gunicorn: {workers} workers, RSS before {rss_before} MB; {seconds} s a run")
            locust_env = {
                **env,
                "BENCH_LINES_FILE": str(lines_file),
                "BENCH_DOSSIERS_FILE": str(dossiers_file),
                "BENCH_MEMBERS_FILE": str(members_file),
                "BENCH_GUARANTOR_USERS": guarantor_users(database_url),
                "BENCH_API_TOKEN": api_token(env),
                "BENCH_PASSWORD": BENCH_PASSWORD,
            }
            results: dict[str, dict[str, float]] = {}
            runs = [("bare view", ["BareUser"]), ("bare view, logged in", ["ClientUser"]), ("login", ["LoginUser"])]
            runs += [(page, ["ClientUser"]) for page in SCENARIOS]
            runs += [(page, ["ApiUser"]) for page in API_SCENARIOS]
            # BENCH_LOAD_ONLY="home;loans list": a try of some scenarios; their ratios are printed, not recorded.
            if only:
                runs = [run for run in runs if run[0] in only]
            failures = 0.0
            for scenario, classes in runs:
                stats = locust(host, classes, USERS, seconds, scenario, folder, locust_env)
                results[scenario] = stats[scenario]
                failures += stats["Aggregated"]["failures"]
                show(f"{scenario}, {USERS} users", stats[scenario])
            if only:
                bare = results.get("bare view", {}).get("rps", 0.0)
                floor = results.get("bare view, logged in", {}).get("rps", 0.0)
                floor_p50 = results.get("bare view, logged in", {}).get("p50", 0.0)
                for scenario, stats in results.items():
                    print(
                        f"[load] {scenario}: {stats['rps'] / bare if bare else 0:.3f} of the anonymous bare view, "
                        f"{stats['rps'] / floor if floor else 0:.3f} of the logged-in one; median latency "
                        f"{stats['p50'] / floor_p50 if floor_p50 else 0:.2f} × the logged-in one's"
                    )
                return 0
            # 100 users: logins alone, then the pages mixed, twice as long (the 100 users' first
            # logins, about 100 Argon2 verifies, happen at its start).
            logins = locust(host, ["LoginUser"], MIXED_USERS, seconds, "login", folder, locust_env)
            failures += logins["Aggregated"]["failures"]
            show(f"login, {MIXED_USERS} users", logins["login"])
            mixed = locust(host, ["ClientUser"], MIXED_USERS, 2 * seconds, "mixed", folder, locust_env)
            failures += mixed["Aggregated"]["failures"]
            for label, stats in sorted(mixed.items()):
                if not label.startswith("setup"):
                    show(f"mixed, {MIXED_USERS} users: {label}", stats)
            rss_after = [kb // 1024 for kb in workers_rss(server.pid)]
            print(f"[load] gunicorn workers' RSS after: {rss_after} MB (before {rss_before} MB)")
        server_log = (folder / "gunicorn.log").read_text()
        if "Traceback" in server_log:
            print("[load] gunicorn log holds a traceback:\n" + server_log[-3000:])

    bare = results["bare view"]["rps"]
    floor = results["bare view, logged in"]["rps"]
    cores = os.cpu_count() or 1
    ceiling = cores / verify
    ok = record(
        f"login throughput ÷ (cores ÷ one Argon2 verify's CPU time), {USERS} users",
        results["login"]["rps"] / ceiling,
        ">=",
        LOGIN_TARGET,
        detail=f"{results['login']['rps']:.1f} logins/s vs {cores} cores ÷ {verify * 1000:.0f} ms CPU = {ceiling:.1f}/s",
    )
    ok &= record(
        f"logged-in bare view ÷ anonymous bare view, {USERS} users",
        floor / bare if bare else 0.0,
        ">=",
        FLOOR_TARGET,
        detail=f"{floor:.0f} vs {bare:.0f} req/s, {workers} workers",
    )
    for page in SCENARIOS:
        ok &= record(
            f"{page} throughput ÷ logged-in bare view's, {USERS} users",
            results[page]["rps"] / floor if floor else 0.0,
            ">=",
            PAGE_TARGET,
            detail=f"{results[page]['rps']:.0f} vs {floor:.0f} req/s, {workers} workers, p95 {results[page]['p95']:.0f} ms",
        )
    floor_p50 = results["bare view, logged in"]["p50"]
    for page in API_SCENARIOS:
        ok &= record(
            f"{page}: median latency ÷ logged-in bare view's, {USERS} users",
            results[page]["p50"] / floor_p50 if floor_p50 else 0.0,
            "<=",
            API_TARGET,
            detail=f"p50 {results[page]['p50']:.0f} vs {floor_p50:.0f} ms, {results[page]['rps']:.0f} req/s",
        )
    ok &= record(
        f"pages mixed, {MIXED_USERS} users: p95 (ms)",
        mixed["Aggregated"]["p95"],
        "<",
        MIXED_P95_TARGET_MS,
        detail=f"{mixed['Aggregated']['rps']:.0f} req/s, p50 {mixed['Aggregated']['p50']:.0f} ms",
    )
    ok &= record("load: failed requests, every run", failures, "==", 0)
    print(
        f"[load] pages' median throughput ÷ logged-in bare: "
        f"{statistics.median(results[page]['rps'] for page in SCENARIOS) / floor if floor else 0:.3f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
