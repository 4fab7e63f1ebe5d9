"""The daily import of the portfolio, as a chain of tasks: each run queues the next day's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from espace.core import clock
from espace.core.tasks import task_enqueue_object
from espace.portfolio.services import portfolio_import
from espace.portfolio.statements import statement_generate


def next_import_at(*, after: datetime | None = None) -> datetime:
    """The next PORTFOLIO_IMPORT_HOUR o'clock (local time) strictly after `after` (default: now)."""
    after = after or clock.now()
    day = timezone.localdate(after)
    moment = timezone.make_aware(datetime.combine(day, time(settings.PORTFOLIO_IMPORT_HOUR)))
    if moment <= after:
        moment = timezone.make_aware(datetime.combine(day + timedelta(days=1), time(settings.PORTFOLIO_IMPORT_HOUR)))
    return moment


@task()
def import_portfolio_daily(*, directory: str) -> str:
    """Import the files of `directory`, then queue the same task for the next day.

    The next run is queued even when this one fails, so that one bad night does not end the chain.
    """
    try:
        run = portfolio_import(directory=Path(directory))
    finally:
        task_enqueue_object(import_portfolio_daily, run_after=next_import_at(), directory=directory)
    return str(run.status)


def queued_daily_import() -> DBTaskResult | None:
    """The queued (not yet started) run of the daily chain, if any."""
    return (
        DBTaskResult.objects.filter(task_path=import_portfolio_daily.module_path, status=TaskResultStatus.READY)
        .order_by("run_after")
        .first()
    )


def daily_import_start(*, directory: str) -> datetime | None:
    """Start the chain at the next PORTFOLIO_IMPORT_HOUR; None when one is already queued."""
    if queued_daily_import() is not None:
        return None
    run_after = next_import_at()
    task_enqueue_object(import_portfolio_daily, run_after=run_after, directory=directory)
    return run_after


@task()
def generate_guaranteed_debt_statement(*, statement_id: int) -> str:
    """Render the « État annuel de la dette garantie » a guarantor asked for."""
    return statement_generate(statement_id=statement_id).status
