"""Fault: the task worker is killed (SIGKILL) in the middle of a letter's rendering.

A real `manage.py task_worker` process renders the activation letter; it is held at a named
point (espace.core.faults) and killed there. A second worker finds the task left RUNNING by a
worker that stopped beating, runs it again, and the result is one letter and one temporary code,
the one printed in that letter. Killed before the commit (nothing written) and after it (the
letter exists, the task was not yet marked done).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from espace.core import clock as service_clock
from espace.core.models import AuditEvent, WorkerHeartbeat
from espace.core.tasks import task_enqueue
from espace.core.worker import tasks_requeue_orphans, tasks_requeue_own, worker_beat, worker_gone
from tests.servicedb import ROOT, ServiceDatabase

pytestmark = pytest.mark.faults

SETUP = """
from tests.registration.factories import RegistrationFactory
from espace.registration.services import registration_complete
user = registration_complete(registration=RegistrationFactory(username="premier", verified=True))
print(json.dumps(user.pk))
"""

CHECK = """
import subprocess
from django.contrib.auth.hashers import check_password
from espace.accounts.models import User
from espace.letters.models import Letter
user = User.objects.get(pk={user_id})
letters = list(Letter.objects.filter(account_holder=user))
texts = []
for letter in letters:
    pdf = subprocess.run(["pdftotext", letter.pdf.path, "-"], capture_output=True, text=True, check=True).stdout
    code = next(line for line in pdf.splitlines() if len(line.replace(" ", "")) == 12 and line.isupper())
    texts.append(check_password(code.replace(" ", ""), user.temporary_code_hash))
print(json.dumps({{"letters": len(letters), "superseded": [l.superseded for l in letters], "code_matches": texts}}))
"""


def start_worker(database: ServiceDatabase, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=database.env(TASK_WORKER_HEARTBEAT_SECONDS="1", TASK_WORKER_LOST_AFTER_SECONDS="3", **env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def letter_task(database: ServiceDatabase) -> tuple[str, list[str]]:
    ((status, worker_ids),) = database.query(
        "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
        ("%issue_temporary_code",),
    )
    return status, worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)


@pytest.mark.parametrize("point", ["letter_render", "letter_rendered"], ids=["before-commit", "after-commit"])
def test_a_worker_killed_mid_letter_leaves_one_letter_and_one_code(service_database, tmp_path: Path, point: str):
    user_id = service_database.django(SETUP)
    pause = tmp_path / "pause"
    pause.mkdir()
    started = time.monotonic()
    first = start_worker(service_database, ESPACE_FAULT_PAUSE_DIR=str(pause), ESPACE_FAULT_PAUSE_AT=point)
    try:
        wait_for(lambda: (pause / f"{point}.reached").exists(), 60, f"the worker to reach {point}")
        assert (pause / f"{point}.reached").read_text() == str(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    status, worker_ids = letter_task(service_database)
    assert status == "RUNNING" and len(worker_ids) == 1  # left behind by the dead worker
    letters_after_kill = service_database.query("SELECT COUNT(*) FROM letters_letter")[0][0]
    assert letters_after_kill == (0 if point == "letter_render" else 1)  # the transaction is all or nothing

    second = start_worker(service_database)
    try:
        wait_for(lambda: letter_task(service_database)[0] == "SUCCESSFUL", 60, "the letter task to run again")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    status, worker_ids = letter_task(service_database)
    assert len(worker_ids) == 2 and worker_ids[0] != worker_ids[1]  # run again, by the new worker
    # The letter task was queued again once, by the recovery. (A mail task the SIGTERM caught
    # between its claim and its start is given back by the stopping worker: not counted here.)
    assert service_database.query(
        "SELECT COUNT(*) FROM core_auditevent WHERE action = %s AND details->>'task' LIKE %s",
        ("task_requeued", "%issue_temporary_code"),
    ) == [(1,)]
    assert service_database.query("SELECT COUNT(*) FROM core_workerheartbeat") == [(1,)]  # the dead one's
    result = service_database.django(CHECK.format(user_id=user_id))
    assert result == {"letters": 1, "superseded": [False], "code_matches": [True]}, result
    print(f"{point}: {time.monotonic() - started:.1f} s")


@pytest.mark.django_db
def test_only_the_tasks_of_silent_workers_are_queued_again(clock, settings):
    def claimed(by: str, started_ago: timedelta) -> DBTaskResult:
        task_enqueue("espace.registration.tasks.issue_temporary_code", user_id=1)
        result = DBTaskResult.objects.filter(status=TaskResultStatus.READY).latest("enqueued_at")
        DBTaskResult.objects.filter(pk=result.pk).update(
            status=TaskResultStatus.RUNNING, worker_ids=[by], started_at=service_clock.now() - started_ago
        )
        return result

    worker_beat("vivant")
    worker_beat("mort")
    clock.shift(timedelta(seconds=30))
    worker_beat("vivant")  # "mort" has not beaten for 30 s, "vivant" just did
    alive = claimed("vivant", timedelta(minutes=5))
    dead = claimed("mort", timedelta(minutes=5))
    plain_young = claimed("db-worker", timedelta(hours=1))  # a plain db_worker: no heartbeat at all
    plain_old = claimed("db-worker", timedelta(hours=7))
    settings.TASK_WORKER_LOST_AFTER = timedelta(seconds=60)
    assert tasks_requeue_orphans() == 1  # 30 s of silence is not death yet… but 7 hours unmonitored is
    assert DBTaskResult.objects.get(pk=plain_old.pk).status == TaskResultStatus.READY
    clock.shift(timedelta(seconds=45))
    worker_beat("vivant")
    assert tasks_requeue_orphans() == 1  # now "mort" has been silent 75 s
    statuses = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert statuses[alive.pk] == TaskResultStatus.RUNNING and statuses[plain_young.pk] == TaskResultStatus.RUNNING
    assert statuses[dead.pk] == TaskResultStatus.READY
    assert AuditEvent.objects.filter(action="task_requeued").count() == 2
    assert tasks_requeue_orphans() == 0  # nothing twice
    # A worker whose loop a database outage cut gives back what it had claimed, and only that.
    own = claimed("moi", timedelta(seconds=5))
    assert tasks_requeue_own("moi") == 1 and DBTaskResult.objects.get(pk=own.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.RUNNING
    # A worker stopping gives back the claim it never finished (its loop is over: nothing of it
    # runs any more) and removes its row; the other workers' claims and rows stay.
    assert worker_gone("vivant") == 1
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.READY
    assert not WorkerHeartbeat.objects.filter(worker_id="vivant").exists()
    assert WorkerHeartbeat.objects.filter(worker_id="mort").exists()
    assert worker_gone("vivant") == 0  # nothing twice
