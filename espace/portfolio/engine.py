"""A line's terms and schedule through the finance engine, and the figures kept on the line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from espace.finance import RateHistory, Schedule, Terms, schedule
from espace.portfolio.enums import LineStatus
from espace.portfolio.models import FinancingLine
from espace.products.terms import LoanRate, terms_for


def line_terms(line: FinancingLine, history: RateHistory) -> Terms:
    """The line's terms as the engine takes them (raises espace.finance.TermsError when invalid)."""
    return terms_for(
        rate=LoanRate(index=line.rate_index, margin=line.margin, fixed_rate=line.fixed_rate, revision=line.revision),
        history=history,
        principal=line.principal,
        duration_years=line.duration_years,
        first_due=line.first_due,
        profile=line.profile,
        periodicity=line.periodicity,
        progression=line.progression,
        rate_convention=line.rate_convention,
        deferral_years=line.deferral_years,
        prefinancing_months=line.prefinancing_months,
        prefinancing_mode=line.prefinancing_mode,
    )


def line_schedule(line: FinancingLine, history: RateHistory) -> Schedule:
    return schedule(line_terms(line, history))


def _status(*, future: bool, on: date, first_due: date) -> LineStatus:
    if not future:
        return LineStatus.REPAID
    return LineStatus.PREFINANCING if on < first_due else LineStatus.REPAYMENT


@dataclass(frozen=True)
class LineFigures:
    """What a line's dashboard figures are on a given day."""

    outstanding: Decimal
    maturity_date: date
    next_due_date: date | None
    next_instalment: Decimal | None
    status: LineStatus


class RowLike(Protocol):
    """Engine rows and stored rows alike."""

    @property
    def number(self) -> int: ...
    @property
    def due_date(self) -> date: ...
    @property
    def instalment(self) -> Decimal: ...
    @property
    def outstanding_after(self) -> Decimal: ...


def line_figures(*, principal: Decimal, rows: Sequence[RowLike], on: date, first_due: date) -> LineFigures:
    """Outstanding capital after the rows due on or before `on`; the next instalment; the status.

    Before its first instalment a line is in pre-financing (the principal is owed); after its
    last one it is repaid.
    """
    ordered = sorted(rows, key=lambda row: (row.due_date, row.number))
    past = [row for row in ordered if row.due_date <= on]
    future = [row for row in ordered if row.due_date > on and row.instalment > 0]
    outstanding = past[-1].outstanding_after if past else principal
    if not ordered:
        raise ValueError("a line has at least one schedule row")
    status = _status(future=bool(future), on=on, first_due=first_due)
    return LineFigures(
        outstanding=outstanding if status != LineStatus.REPAID else Decimal("0.00"),
        maturity_date=ordered[-1].due_date,
        next_due_date=future[0].due_date if future else None,
        next_instalment=future[0].instalment if future else None,
        status=status,
    )
