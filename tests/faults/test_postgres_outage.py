"""Fault: PostgreSQL stops under load, then starts again.

A private PostgreSQL 15 cluster (initdb into a temporary directory, on a free port) serves a
gunicorn (DEBUG=0, two workers) while four clients keep asking for pages. The cluster is stopped:
every request answers the French 503 page within 2 seconds, none a 500. It is started again: the
same gunicorn processes serve 200 again, without being restarted, and the task worker that
was running all along (`manage.py task_worker`) runs a task queued after the restart.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.error import HTTPError

import pytest

from tests.pgcluster import Cluster, pg_cluster
from tests.servicedb import ROOT, service_env
from tests.serving import gunicorn

pytestmark = pytest.mark.faults

PAGE = "/prets/"  # the product table: read from the database on every request


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with pg_cluster("espace_faults_outage", prefix="espace_faults_pg_") as running:
        yield running


@dataclass
class Load:
    """Clients asking for pages in a loop: (start, status, seconds, body excerpt) for each request."""

    base: str
    results: list[tuple[float, int, float, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def client(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            status, body = fetch(self.base + PAGE)
            self.results.append((started, status, time.monotonic() - started, body[:3000]))
            time.sleep(0.05)

    def between(self, start: float, end: float) -> list[tuple[float, int, float, str]]:
        return [r for r in self.results if start <= r[0] < end]


def fetch(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:  # no answer at all: recorded as such, and fails the test
        return 0, str(error)


ENQUEUE = """
import django
django.setup()
from espace.core.emails import email_enqueue
email_enqueue(template="account_activated_self", to=["apres@example.org"], context={"first_name": "A", "username": "a"})
"""


def task_status(cluster: Cluster) -> str:
    import psycopg

    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        row = connection.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE args_kwargs::text LIKE %s",
            ("%apres@example.org%",),
        ).fetchone()
    return row[0] if row else ""


def fetch_api(base: str) -> tuple[int, str, str]:
    """An API call with an unknown token: the token lookup needs the database."""
    request = urllib.request.Request(base + "/api/v1/loans", headers={"Authorization": "Bearer inconnu"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_postgres_stopped_under_load_gives_503_fast_and_the_same_gunicorn_recovers(cluster, tmp_path):
    env = service_env(cluster.url, tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), CONN_MAX_AGE="60")
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--interval", "0.2"],
        cwd=ROOT,
        env={**env, "TASK_WORKER_HEARTBEAT_SECONDS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as (base, server):
            load = Load(base=base)
            clients = [threading.Thread(target=load.client, daemon=True) for _ in range(4)]
            try:
                for thread in clients:
                    thread.start()
                time.sleep(2)
                stopping = time.monotonic()
                cluster.stop()
                stopped = time.monotonic()
                time.sleep(3)
                assert fetch(base + "/sante/")[0] == 503
                api_down = fetch_api(base)
                starting = time.monotonic()
                cluster.start()
                started = time.monotonic()
                time.sleep(3)
                api_back = fetch_api(base)
            finally:
                load.stop.set()
                for thread in clients:
                    thread.join(timeout=15)
            assert server.poll() is None  # the same gunicorn all along
        # The same task worker too: it waited for the database and runs a task queued now.
        subprocess.run([sys.executable, "-c", ENQUEUE], cwd=ROOT, env=env, check=True, timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and task_status(cluster) != "SUCCESSFUL":
            time.sleep(0.3)
        assert task_status(cluster) == "SUCCESSFUL"
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    statuses = {status for _start, status, _seconds, _body in load.results}
    assert statuses <= {200, 503}, sorted(statuses)  # never a 500, never a hung or refused request
    before = load.between(0, stopping - 1)  # a request still running when the stop begins may get either
    assert before and all(status == 200 for _s, status, _t, _b in before), [r[:3] for r in before]
    outage = load.between(stopped, starting)
    assert len(outage) >= 8 and all(status == 503 for _s, status, _t, _b in outage)
    assert max(seconds for _s, _status, seconds, _b in outage) < 2.0
    assert all("Service momentanément indisponible" in body for *_rest, body in outage)
    after = load.between(started + 1, float("inf"))
    assert len(after) >= 8 and all(status == 200 for _s, status, _t, _b in after), [r[:3] for r in after]
    # The API answers its callers in JSON, during the outage too.
    assert api_down[0] == 503 and api_down[1] == "application/json" and '"unavailable"' in api_down[2], api_down
    assert api_back[0] == 401 and api_back[1] == "application/json", api_back
