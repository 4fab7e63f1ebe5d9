"""One way to queue background work, for every service.

Services name their tasks by dotted path instead of importing them: an app's tasks module
imports its services (tasks run services), so importing it back from the services would be a
cycle. The task is looked up when it is enqueued; `tests/core/test_tasks.py` checks that every
path named in the code resolves to a task.

With the database queue (django-tasks-db) on the data's own database, the task row is written
in the caller's transaction: it exists if and only if the data it works on was committed, and a
worker cannot see it before. With another backend (Redis/RQ when one machine is not enough),
it is enqueued once the transaction commits, for the same reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend


def task_resolve(path: str) -> Task[Any, Any]:
    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a background task")
    return task


def task_enqueue(path: str, /, *, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue the task at `path` (e.g. "espace.registration.tasks.send_registration_code")."""
    task_enqueue_object(task_resolve(path), run_after=run_after, **kwargs)


def task_enqueue_object(task: Task[Any, Any], /, *, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue a task the caller already holds (a task re-queueing itself, or one of the same module)."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))
