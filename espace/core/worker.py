"""Task workers that recover from a dead worker (docs/reliability.md).

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a
worker killed mid-task (SIGKILL, out of memory, machine lost) leaves it RUNNING for ever. Each
worker started by `manage.py task_worker` beats in `WorkerHeartbeat`; every beat, any task
RUNNING under a worker that has not beaten for `TASK_WORKER_LOST_AFTER` goes back to READY and
runs again (the tasks are idempotent: a letter task finds its letter, a mail task re-sends at
most the one mail whose sending was cut). Tasks claimed by a plain `db_worker`, which does not
beat, are queued again only after `TASK_UNMONITORED_TIMEOUT`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from espace.core import clock
from espace.core.audit import audit_record
from espace.core.enums import AuditAction
from espace.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEATS_KEPT = timedelta(days=1)


def worker_beat(worker_id: str) -> None:
    now = clock.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=now, seen_at=now)


def worker_gone(worker_id: str) -> int:
    """A worker stopping: its loop has ended, so nothing of this process runs any more. A task it
    still holds RUNNING was claimed but never started (the stop signal landed between the claim's
    commit and the task's start): it goes back to the queue now instead of waiting for the row to
    go stale, and the row goes. Returns how many were queued again."""
    requeued = tasks_requeue_own(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    return requeued


def tasks_requeue_own(worker_id: str) -> int:
    """This worker runs nothing now (its loop was cut by a database outage): whatever it had
    claimed goes back to the queue."""
    requeued = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        if result.worker_ids and result.worker_ids[-1] == worker_id:
            requeued += _requeue(result, worker_id)
    return requeued


def _requeue(result: DBTaskResult[Any, Any], owner: str) -> int:
    # The claim's start time identifies this run: a concurrent recovery updates nothing.
    if not DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    ).update(status=TaskResultStatus.READY, started_at=None):
        return 0
    logger.warning("Task %s (%s) of worker %s queued again", result.pk, result.task_path, owner)
    audit_record(
        action=AuditAction.TASK_REQUEUED,
        details={"task_id": str(result.pk), "task": result.task_path, "worker": owner},
    )
    return 1


def tasks_requeue_orphans() -> int:
    """Queue again every task whose worker is dead. Returns how many were queued again."""
    now = clock.now()
    lost_before = now - settings.TASK_WORKER_LOST_AFTER
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    requeued = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        owner = result.worker_ids[-1] if result.worker_ids else ""
        seen = beats.get(owner)
        if seen is not None and seen >= lost_before:
            continue  # its worker is alive: the task is really running
        if seen is None and result.started_at and result.started_at > now - settings.TASK_UNMONITORED_TIMEOUT:
            continue  # a worker that does not beat: only a very old claim is taken as dead
        requeued += _requeue(result, owner)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()
    return requeued
