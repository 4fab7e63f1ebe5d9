"""DATABASE_REPLICA_URL (issue 21): the heavy read-only pages read from a real streaming replica,
writes never go there, and a user sees their own write at the next request.

A private PostgreSQL primary and a hot standby made from it by pg_basebackup; gunicorn (DEBUG=0)
on both. The standby's replay is paused while the test writes on the primary, so that what a page
shows tells which server it was read from. A hot standby refuses every write: a write routed there
would fail the request.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.pgcluster import Cluster, pg_cluster, pg_replica
from tests.servicedb import ROOT, service_env
from tests.serving import Browser, gunicorn, text

pytestmark = pytest.mark.production

PIN_SECONDS = 2

SETUP = """
import django, json
django.setup()
from tests.accounts.factories import UserFactory
from tests.loan_requests.factories import LoanRequestFactory
from espace.accounts.enums import Permission
author = UserFactory(username="auteur", permissions=[Permission.CREATE_LOAN_REQUESTS.value, Permission.VIEW_DOSSIERS.value])
draft = LoanRequestFactory(establishment=author.establishment, created_by=author, name="Résidence Avant")
print(json.dumps(str(draft.public_id)))
"""


@pytest.fixture
def primary() -> Iterator[Cluster]:
    with pg_cluster("espace_replica") as running:
        yield running


def wait_for(predicate, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def names_on(replica: Cluster) -> set[str]:
    return {name for (name,) in replica.query("SELECT name FROM loan_requests_loanrequest")}


def test_lists_read_the_replica_writes_go_to_the_primary_and_a_user_reads_their_own_write(primary, tmp_path):
    env = service_env(primary.url, tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50))
    for script in (["manage.py", "migrate", "--noinput", "-v", "0"], ["-c", SETUP]):
        done = subprocess.run([sys.executable, *script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    draft = done.stdout.strip().strip('"')
    with pg_replica(primary) as replica:
        wait_for(lambda: "Résidence Avant" in names_on(replica), "the replica to hold the draft")
        replica.query("SELECT pg_wal_replay_pause()")
        # Someone else renames the draft on the primary; the paused replica does not see it.
        primary.query("UPDATE loan_requests_loanrequest SET name = 'Résidence Renommée'")
        time.sleep(0.5)
        assert names_on(replica) == {"Résidence Avant"}

        env = {
            **env,
            "DATABASE_REPLICA_URL": replica.url,
            "DATABASE_REPLICA_PIN_SECONDS": str(PIN_SECONDS),
            "ALLOWED_HOSTS": "prets.example.org,127.0.0.1",
        }
        with gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as (node, _server):
            browser = Browser("198.51.100.70")
            assert browser.log_in(node, "auteur").status_code == 302  # sessions and users: the primary
            listed = text(browser.get(node, "/demandes/"))
            assert "Résidence Avant" in listed and "Résidence Renommée" not in listed  # the list: the replica
            detail = browser.get(node, f"/demandes/{draft}/recapitulatif/")
            assert "Résidence Renommée" in text(detail)  # a page that is not marked: the primary

            created = browser.post(node, "/demandes/nouvelle/", {"kind": "housing", "name": "Résidence Nouvelle"})
            assert created.status_code == 302, text(created)[:2000]  # a write routed to the standby would fail
            assert "Résidence Nouvelle" in {
                name for (name,) in primary.query("SELECT name FROM loan_requests_loanrequest")
            }
            assert "Résidence Nouvelle" not in names_on(replica)
            mine = text(browser.get(node, "/demandes/"))
            assert "Résidence Nouvelle" in mine and "Résidence Renommée" in mine  # the next request: the primary

            time.sleep(PIN_SECONDS + 0.5)  # the pin ends: the list reads the (still paused) replica again
            # (/demandes/ itself was kept as the primary showed it: current, it is served as is.)
            later = text(browser.get(node, "/demandes/?page=1"))
            assert "Résidence Nouvelle" not in later and "Résidence Avant" in later
            other = Browser("198.51.100.71")  # another browser of the same user was never pinned
            assert other.log_in(node, "auteur").status_code == 302
            assert "Résidence Nouvelle" not in text(other.get(node, "/demandes/?page=1"))
            time.sleep(PIN_SECONDS + 0.5)  # however long the replica lags, what it showed is not kept
            assert "Résidence Nouvelle" not in text(other.get(node, "/demandes/?page=1"))

            replica.query("SELECT pg_wal_replay_resume()")
            wait_for(lambda: "Résidence Nouvelle" in names_on(replica), "the replica to catch up")
            for page in ("/demandes/", "/demandes/?page=1"):
                caught_up = text(browser.get(node, page))
                assert "Résidence Nouvelle" in caught_up and "Résidence Renommée" in caught_up, page
        assert replica.query("SELECT pg_is_in_recovery()") == [(True,)]  # a standby all along
        log = (tmp_path / "gunicorn.log").read_text()
        assert "read-only transaction" not in log and "Traceback" not in log, log[-3000:]
