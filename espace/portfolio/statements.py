"""« État annuel de la dette garantie »: the figures a guarantor attaches to its budget, as a PDF
made by the task worker, stored, and downloaded from « Dette garantie »."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.pdf import render_pdf
from espace.core.tasks import task_enqueue
from espace.establishments.models import Establishment
from espace.portfolio.enums import AuditAction, StatementStatus
from espace.portfolio.models import GuaranteedDebtStatement
from espace.portfolio.selectors import annual_statement_lines


@transaction.atomic
def statement_request(*, guarantor: Establishment, year: int, requested_by: User) -> GuaranteedDebtStatement:
    if not 2000 <= year <= clock.today().year:
        raise ApplicationError("Choisissez une année passée ou l'année en cours.", field="year")
    statement = GuaranteedDebtStatement.objects.create(guarantor=guarantor, year=year, requested_by=requested_by)
    audit_record(
        action=AuditAction.STATEMENT_REQUESTED,
        actor=requested_by,
        target=statement,
        establishment=guarantor,
        details={"year": year},
    )
    task_enqueue("espace.portfolio.tasks.generate_guaranteed_debt_statement", statement_id=statement.pk)
    return statement


@transaction.atomic
def statement_generate(*, statement_id: int) -> GuaranteedDebtStatement:
    """Render and store the PDF (called by the task)."""
    statement = GuaranteedDebtStatement.objects.select_for_update().select_related("guarantor").get(pk=statement_id)
    if statement.status == StatementStatus.READY:
        return statement
    lines = annual_statement_lines(statement.guarantor, statement.year)
    totals = {
        "outstanding_start": sum((line.outstanding_start for line in lines), Decimal(0)),
        "capital": sum((line.capital for line in lines), Decimal(0)),
        "interest": sum((line.interest for line in lines), Decimal(0)),
    }
    pdf = render_pdf(
        template="portfolio/statement_pdf.html",
        context={"statement": statement, "lines": lines, "totals": totals, "today": clock.today()},
    )
    statement.pdf.save(f"etat-dette-garantie-{statement.year}.pdf", ContentFile(pdf), save=False)
    statement.status = StatementStatus.READY
    statement.save(update_fields=["pdf", "status", "updated_at"])
    # The guarantor's document library keeps it too. Documents sits above portfolio in the layers:
    # its task is named by path, never imported (docs/architecture.md).
    task_enqueue("espace.documents.tasks.file_guaranteed_debt_statement", statement_id=statement.pk)
    return statement
