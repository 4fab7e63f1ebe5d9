"""Writes of the portfolio: the daily import of the lender's files."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.establishments.models import Establishment
from espace.portfolio.enums import AuditAction, ImportStatus
from espace.portfolio.imports.pipeline import ImportFileError, PortfolioImport
from espace.portfolio.imports.reconciliation import portfolio_reconciliation
from espace.portfolio.models import ImportRun
from espace.portfolio.page_versions import portfolio_imported
from espace.portfolio.summaries import summaries_refresh_all
from espace.products.selectors import livret_a_history

logger = logging.getLogger(__name__)

# A run still « en cours » after this long has crashed: it no longer blocks the next one.
RUNNING_IMPORT_STALE_AFTER = timedelta(hours=12)


def portfolio_import(*, directory: Path, today: date | None = None) -> ImportRun:
    """Import the lender's portfolio files of `directory`, with the figures as of `today` (default: today).

    Each contract is imported whole or refused whole (its errors are reported with file, line and
    reason); unchanged contracts are not rewritten. The run, its counts, its errors and the
    reconciliation per borrower are kept in an ImportRun, and one audit row is written.
    """
    today = today or clock.today()
    run = ImportRun.objects.create(started_at=clock.now(), source=str(directory)[:500], status=ImportStatus.RUNNING)
    running = (
        ImportRun.objects.filter(
            status=ImportStatus.RUNNING, started_at__gte=run.started_at - RUNNING_IMPORT_STALE_AFTER
        )
        .exclude(pk=run.pk)
        .first()
    )
    if running is not None:
        run.status = ImportStatus.FAILED
        run.errors = [
            {
                "file": "",
                "line": 0,
                "reason": f"un autre import est en cours depuis le {timezone.localtime(running.started_at):%d/%m/%Y %H:%M}",
            }
        ]
    else:
        try:
            outcome = PortfolioImport(directory=directory, today=today, history=livret_a_history()).run()
        except ImportFileError as error:
            run.status = ImportStatus.FAILED
            run.errors = [error.as_dict()]
        except Exception:
            logger.exception("Portfolio import of %s failed", directory)
            run.status = ImportStatus.FAILED
            run.errors = [{"file": "", "line": 0, "reason": "erreur inattendue : voir le journal du serveur"}]
            _finish(run)
            raise
        else:
            run.counts = outcome.counts()
            run.errors = outcome.errors_for_run()
            run.status = ImportStatus.DONE_WITH_ERRORS if outcome.errors else ImportStatus.DONE
            summaries_refresh_all()
    _finish(run)
    return run


def _finish(run: ImportRun) -> None:
    portfolio_imported()
    run.reconciliation = portfolio_reconciliation()
    run.finished_at = clock.now()
    run.save()
    audit_record(
        action=AuditAction.PORTFOLIO_IMPORTED,
        target=run,
        details={"status": run.status, "counts": run.counts, "errors": len(run.errors)},
    )


def portfolio_export_record(*, user: User, establishment: Establishment, fmt: str, content: str) -> None:
    """An export of the loans or their schedules: who took which part of the portfolio, in which format."""
    audit_record(
        action=AuditAction.PORTFOLIO_EXPORTED,
        actor=user,
        establishment=establishment,
        details={"format": fmt, "content": content},
    )
