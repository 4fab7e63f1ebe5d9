"""Soak: 100 concurrent users for 10 minutes on a mixed scenario, against gunicorn + PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espace_faults .venv/bin/python bench/soak.py
    SOAK_USERS=20 SOAK_SECONDS=60 …   (a short try)

1. Builds the database `<DATABASE_URL's name>_soak` (migrate; 100 client accounts of one
   establishment, one account « soak-cible » for the attackers), collectstatic into a temporary
   directory, then gunicorn on `config.wsgi` with the production settings (DEBUG off, Argon2,
   database cache), `WEB_CONCURRENCY` workers (default 2), `TRUSTED_PROXY_COUNT=1` so that each
   locust user speaks from an address of its own (X-Forwarded-For).
2. locust headless, this file's users, closed loop with short pauses, in the ratio of weights:
   - `Visitor` (3): public pages (home, products, FAQ, login form, simulator);
   - `Client` (6): logs in once with its own account, then its home, account, requests,
     outstanding, documents pages, and now and then a contact message (an upload-free POST);
   - `Attacker` (1): wrong passwords for « soak-cible », each attacker from its own address.
3. Records (bench._results): server errors (5xx) = 0 over the run; the attacked account locked
   exactly once (one « Compte bloqué » in the journal, its counter at 5, five failures counted
   however many attackers); the gunicorn workers' resident memory at the end ≤ 1.2 × what it was
   once every user had started (after a warm-up).
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Soak-Prets-2026!"
TARGET = "soak-cible"
CLIENTS = 100
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_numbers = itertools.count(1)


# --- locust users (this file is also the locustfile) ----------------------------------------------


class SecureOverLoopback(DefaultCookiePolicy):
    """Send the Secure session cookie over plain HTTP to 127.0.0.1 (the proxy's HTTPS is simulated)."""

    def return_ok_secure(self, cookie, request):  # type: ignore[no-untyped-def]
        return True

    def set_ok(self, cookie, request):  # type: ignore[no-untyped-def]
        return True


class SoakUser(FastHttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.address = f"10.{self.number // 250 % 250}.{self.number % 250}.{random.randint(1, 250)}"
        self.client.cookiejar.set_policy(SecureOverLoopback())
        self.origin = self.host.replace("http://", "https://")

    def headers(self, referer: str = "/") -> dict[str, str]:
        return {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Origin": self.origin,
            "Referer": self.origin + referer,
        }

    def get(self, url: str, name: str, expected: tuple[int, ...] = (200,)) -> bytes:
        with self.client.get(
            url, headers=self.headers(), name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in expected:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")
            return response.content or b""

    def post_form(self, page: str, data: dict[str, str], name: str, expected: tuple[int, ...]) -> int:
        found = TOKEN.search(self.get(page, f"{name} form"))
        if not found:
            return 0
        with self.client.post(
            page,
            data={"csrfmiddlewaretoken": found.group(1).decode(), **data},
            headers=self.headers(page),
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in expected:
                response.success()  # an expected 4xx (wrong password, rate limit) is not a failure
            else:
                response.failure(f"HTTP {response.status_code}")
            return response.status_code


class Visitor(SoakUser):
    weight = 3

    @task
    def browse(self) -> None:
        url, name = random.choice(
            [
                ("/", "home"),
                ("/prets/", "products"),
                ("/faq/", "faq"),
                ("/connexion/", "login form"),
                ("/outils/simulateur/", "simulator"),
            ]
        )
        self.get(url, name)


class Client(SoakUser):
    weight = 6

    def on_start(self) -> None:
        super().on_start()
        self.username = f"soak-{(self.number - 1) % CLIENTS + 1:04d}"
        self.client.cookiejar.clear()
        self.post_form("/connexion/", {"username": self.username, "password": PASSWORD}, "login", (302,))

    @task(10)
    def browse(self) -> None:
        url, name = random.choice(
            [
                ("/espace/", "client home"),
                ("/mon-compte/", "my account"),
                ("/demandes/", "requests"),
                ("/encours/", "outstanding"),
                ("/documents/", "documents"),
            ]
        )
        self.get(url, name)

    @task(1)
    def contact(self) -> None:
        # A rate limit (429) is an answer too; a 5xx is not.
        self.post_form(
            "/contact/",
            {"subject": "public_site", "message": f"Message d'endurance {secrets.token_hex(4)}"},
            "contact",
            (302, 429),
        )


class Attacker(SoakUser):
    weight = 1

    @task
    def wrong_password(self) -> None:
        # 400 (wrong password) until the lock, then 403 (« compte bloqué »); never a server error.
        self.post_form(
            "/connexion/", {"username": TARGET, "password": secrets.token_hex(6)}, "wrong password", (400, 403)
        )


# --- the run ----------------------------------------------------------------------------------------


def database_url() -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/espace_faults")
    if not base.startswith("postgres"):
        sys.exit("bench/soak.py needs PostgreSQL: DATABASE_URL=postgres://…")
    return base.rsplit("/", 1)[0] + "/" + base.rsplit("/", 1)[1] + "_soak"


def server_env(url: str, work: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(work),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_HOST": "127.0.0.1",
        "CLAMD_HOST": os.environ.get("CLAMD_HOST", "127.0.0.1"),
        "CLAMD_PORT": os.environ.get("CLAMD_PORT", "3310"),
        "DATABASE_URL": url,
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "ESPACE_RUN_ENV": str(work / "none.env"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TRUSTED_PROXY_COUNT": "1",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    }


SEED = f"""
import django
django.setup()
from django.contrib.auth.hashers import make_password
from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from tests.establishments.factories import EstablishmentFactory
establishment = EstablishmentFactory(with_office=True)
password = make_password({PASSWORD!r})
User.objects.bulk_create(
    User(username=name, email=name + "@example.org", first_name="Endurance", last_name=name,
         establishment=establishment, status=UserStatus.ACTIVE, password=password,
         permissions=[p.value for p in Permission])
    for name in [f"soak-{{i:04d}}" for i in range(1, {CLIENTS} + 1)] + [{TARGET!r}]
)
"""

QUERY = f"""
import django, json
django.setup()
from espace.accounts.enums import AuditAction
from espace.accounts.models import LoginGuard
from espace.core.models import AuditEvent
guard = LoginGuard.objects.filter(identifier={TARGET!r}).first()
events = AuditEvent.objects.filter(details__identifier={TARGET!r})
print(json.dumps({{
    "failures": guard.failures if guard else None,
    "locked": guard is not None and guard.locked_until is not None,
    "lock_events": events.filter(action=AuditAction.LOGIN_LOCKED).count(),
    "failure_events": events.filter(action=AuditAction.LOGIN_FAILED).count(),
}}))
"""


def run(command: list[str], env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def main() -> int:
    import json

    import psycopg

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ROOT))
    from _results import record

    from tests.serving import gunicorn, workers_rss

    users = int(os.environ.get("SOAK_USERS", "100"))
    seconds = int(os.environ.get("SOAK_SECONDS", "600"))
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    url = database_url()
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="espace_soak_") as tmp:
        work = Path(tmp)
        env = server_env(url, work)
        run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run([python, "manage.py", "createcachetable"], env)
        run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
        run([python, "-c", SEED], env)
        with gunicorn(env, workers=int(workers), log=work / "gunicorn.log") as (host, server):
            spawn_rate = max(1, users // 10)
            locust = subprocess.Popen(
                [
                    str(Path(python).parent / "locust"),
                    "-f",
                    str(Path(__file__).resolve()),
                    "--headless",
                    "--host",
                    host,
                    "-u",
                    str(users),
                    "-r",
                    str(spawn_rate),
                    "-t",
                    f"{seconds}s",
                    "--csv",
                    str(work / "soak"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            warm = min(60, seconds // 5) + users // spawn_rate
            time.sleep(warm)
            rss_start = sum(workers_rss(server.pid))
            locust.wait(timeout=seconds + 120)
            rss_end = sum(workers_rss(server.pid))
        with (work / "soak_stats.csv").open() as handle:
            total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
        with (work / "soak_failures.csv").open() as handle:
            failures = list(csv.DictReader(handle))
        lock = json.loads(run([python, "-c", QUERY], env).strip().splitlines()[-1])
        server_log = (work / "gunicorn.log").read_text()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server_errors = sum(int(row["Occurrences"]) for row in failures if re.search(r"HTTP 5\d\d", row["Error"]))
    other = [row for row in failures if not re.search(r"HTTP 5\d\d", row["Error"])]
    print(
        f"[bench] soak: {users} users, {seconds} s, {workers} workers: {total['Request Count']} requests, "
        f"{float(total['Requests/s']):.0f}/s, p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms"
    )
    for row in failures:
        print(f"[bench] failure: {row['Method']} {row['Name']}: {row['Error']} × {row['Occurrences']}")
    print(f"[bench] attacked account: {lock}")
    print(f"[bench] workers' RSS: {rss_start / 1024:.0f} MB after warm-up, {rss_end / 1024:.0f} MB at the end")
    if "Traceback" in server_log:
        print("[bench] gunicorn log holds a traceback:\n" + server_log[-3000:])
    ok = record("soak server errors (5xx)", server_errors, "==", 0, detail=f"{total['Request Count']} requests")
    ok &= record("soak other failed requests", len(other), "==", 0)
    ok &= record("soak lock events of the attacked account", lock["lock_events"], "==", 1)
    ok &= record("soak failures counted for the attacked account", lock["failure_events"], "==", 5)
    ok &= record("soak workers' memory growth", rss_end / rss_start, "<=", 1.2, unit="×")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
