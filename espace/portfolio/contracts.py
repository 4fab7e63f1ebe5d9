"""A signed contract recorded from a dossier: its lines, their engine schedules, guarantees and a
first disbursement plan, in the portfolio at once (the daily import later confirms or corrects
them from the lender's systems: same contract and line numbers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.establishments.models import Establishment
from espace.finance import FinanceInputError, RateHistory
from espace.portfolio.disbursements import latest_draw_date
from espace.portfolio.engine import line_figures, line_schedule
from espace.portfolio.enums import DisbursementStatus, GuarantorKind, ScheduleSource
from espace.portfolio.models import Contract, FinancingLine, Guarantee, PlannedDisbursement, ScheduleRow
from espace.portfolio.summaries import guarantor_summaries_refresh, summary_refresh
from espace.products.models import Product


@dataclass(frozen=True)
class NewGuarantee:
    guarantor: Establishment | None  # None: the CGLLS
    share_percent: Decimal


@dataclass(frozen=True)
class NewLine:
    product: Product
    principal: Decimal
    periodicity: str
    duration_years: int
    first_due: date
    profile: str
    progression: Decimal
    rate_index: str
    margin: Decimal
    fixed_rate: Decimal | None
    revision: str
    prefinancing_months: int | None
    prefinancing_mode: str
    guarantees: list[NewGuarantee] = field(default_factory=list)


def line_rows_write(line: FinancingLine, history: RateHistory, *, on: date) -> FinancingLine:
    """Compute the line's schedule with the engine, store its rows, and its figures as of `on`."""
    computed = line_schedule(line, history)
    line.rows.all().delete()
    ScheduleRow.objects.bulk_create(
        ScheduleRow(
            line=line,
            number=row.number,
            due_date=row.due_date,
            rate=row.rate,
            instalment=row.instalment,
            interest=row.interest,
            capital=row.capital,
            outstanding_after=row.outstanding_after,
            deferred_interest=row.deferred_interest,
            paid=row.due_date <= on,
        )
        for row in computed.rows
    )
    figures = line_figures(principal=line.principal, rows=computed.rows, on=on, first_due=line.first_due)
    line.figures_on = on
    line.outstanding = figures.outstanding
    line.maturity_date = figures.maturity_date
    line.next_due_date = figures.next_due_date
    line.next_instalment = figures.next_instalment
    line.status = figures.status
    line.save()
    return line


@transaction.atomic
def contract_create(
    *,
    borrower: Establishment,
    number: str,
    signed_on: date,
    dossier_number: str,
    lines: list[NewLine],
    history: RateHistory,
) -> Contract:
    """Record the contract and its lines; ApplicationError (French) when a number is taken or the
    terms cannot be scheduled."""
    number = number.strip()
    if Contract.objects.filter(number=number).exists():
        raise ApplicationError(f"Le contrat {number} existe déjà.", field="number")
    if not lines:
        raise ApplicationError("Un contrat porte au moins une ligne de prêt.")
    today = clock.today()
    contract = Contract.objects.create(
        number=number, borrower=borrower, signed_on=signed_on, dossier_number=dossier_number
    )
    for index, new in enumerate(lines, start=1):
        line_number = f"{number}-{index:02d}"
        if FinancingLine.objects.filter(number=line_number).exists():
            raise ApplicationError(f"La ligne {line_number} existe déjà.", field="number")
        line = FinancingLine(
            contract=contract,
            borrower=borrower,
            number=line_number,
            product=new.product,
            principal=new.principal,
            periodicity=new.periodicity,
            duration_years=new.duration_years,
            first_due=new.first_due,
            profile=new.profile,
            progression=new.progression,
            rate_index=new.rate_index,
            margin=new.margin,
            fixed_rate=new.fixed_rate,
            revision=new.revision,
            prefinancing_months=new.prefinancing_months,
            prefinancing_mode=new.prefinancing_mode,
            schedule_source=ScheduleSource.ENGINE,
            status="prefinancing",
            figures_on=today,
            outstanding=new.principal,
            maturity_date=new.first_due,
        )
        try:
            line.save()
            line_rows_write(line, history, on=today)
        except FinanceInputError as error:
            raise ApplicationError(f"La ligne {index} ne peut pas être calculée : {error}") from error
        Guarantee.objects.bulk_create(
            Guarantee(
                line=line,
                kind=GuarantorKind.CGLLS if guarantee.guarantor is None else GuarantorKind.ESTABLISHMENT,
                guarantor=guarantee.guarantor,
                share_percent=guarantee.share_percent,
            )
            for guarantee in new.guarantees
        )
        if new.prefinancing_months:
            # The whole amount planned one month after signature (at the latest 2 months before
            # the first instalment); the borrower moves it through « Pilotage des échéanciers ».
            planned_on = min(signed_on + timedelta(days=30), latest_draw_date(line))
            PlannedDisbursement.objects.create(
                line=line,
                planned_on=max(planned_on, today + timedelta(days=1)),
                amount=new.principal,
                status=DisbursementStatus.PLANNED,
            )
    summary_refresh(borrower)
    guarantor_summaries_refresh(
        guarantee.guarantor.pk for new in lines for guarantee in new.guarantees if guarantee.guarantor is not None
    )
    return contract
