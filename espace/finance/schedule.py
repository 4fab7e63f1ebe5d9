"""Repayment schedules of savings-fund loans, exact to the cent.

Conventions
-----------
Rounding
    Every amount is rounded to the cent, half-up (0.005 → 0.01), as soon as it is computed:
    interest of a period = round(outstanding × periodic rate); instalment = round(exact instalment).
    Intermediate values (periodic rates, the unrounded instalment) are kept at 28 significant digits
    (the annuity factor of a recomputed instalment at 56), whatever the caller's decimal context.
    The last row repays all that remains, so the capital column sums exactly to the amortised
    principal (the principal, plus the pre-financing interest when it is capitalised) and the
    outstanding ends at exactly 0.00. No amount is ever negative.

Rates
    Rates are fractions (0.031 for 3.10 %). The periodic rate of an annual rate r with m periods a
    year is (1 + r)^(1/m) − 1 (actuarial, the default) or r/m (proportional). The yearly
    progression P becomes a periodic progression p the same way: (1 + P)^(1/m) − 1 or P/m.

Dates
    Due date k = first_due + (k − 1)·12/m months, on first_due's day of month clamped to the
    month's last day (31 Jan, 28/29 Feb, 31 Mar…). Period k runs from due date k − 1 to due date k;
    the first period starts one period before first_due.

Échéance prioritaire
    The instalment is fixed first: A₁ = K·(1+i)·(1−q)/(1−qⁿ) with q = (1+p)/(1+i) (A₁ = K·(1+i)/n
    when q = 1), instalment k = round(A₁·(1+p)^(k−1)); capital = instalment − interest.

Amortissement prioritaire
    Capital = round(K / N) on each of the N amortisation rows, the last row taking the remainder;
    instalment = capital + interest.

Indexed rates and revision
    The annual rate of period k is the index in force on the first day of the period, floored at
    the index floor, plus the margin, floored at 0. When it differs from the previous period's
    rate (and only then), an échéance prioritaire instalment is recomputed with the formula above
    on the remaining capital over the remaining periods. The progression follows the revision mode:
    simple — unchanged; double — P′ = (1+P)·(1+r₁)/(1+r₀) − 1 (r₀, r₁ the annual rates before and
    after), at each change of rate, during a capital deferral too; double limitée — max(P′, 0).
    A constant index therefore gives exactly the fixed-rate schedule. Amortissement prioritaire
    keeps its capital; only the interest follows the rate.

Capital deferral
    The first deferral_years × m rows pay the interest only; amortisation (and the instalment's
    progression) starts with the next row, over the remaining periods.

Deferred interest
    When an échéance prioritaire instalment is smaller than the period's interest, the row repays
    no capital and the shortfall joins a stock of deferred interest (`Row.deferred_interest`, the
    stock after the row). The stock bears no interest, is not part of the outstanding capital nor of
    the base of a recomputed instalment, and is repaid first from later instalments, before any
    capital. The last row repays all the capital and deferred interest left.

Early end
    When an instalment would repay more than everything owed (possible after deferred interest,
    which bears no interest, or with very small principals), that row is reduced to what is owed
    and the schedule ends there, before the contractual last due date.

Pre-financing
    The loan is assumed fully drawn when pre-financing starts, `months` months before the start
    of the first period (when pre-financing ends), on first_due's day of month (clamped). Its
    interest = round(K·((1+r)^(months/12) − 1)) (actuarial) or round(K·r·months/12) (proportional),
    r the annual rate in force the day the loan is drawn. It appears as row 0, dated at the end of
    pre-financing, with no capital: `paid`, the instalment is that interest; `capitalised`, the
    instalment is 0, the interest is added to the outstanding and the amortised principal is
    K + that interest.

Totals
    total_capital = Σ capital = the amortised principal; total_interest = Σ interest including
    row 0 (paid or capitalised), so total_instalments = total_interest + principal in every case:
    total_interest is the cost of the loan.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import NamedTuple

from .dates import due_dates
from .enums import PrefinancingMode, Profile, RateConvention, Revision
from .rates import IndexedRate, periodic_rate, prefinancing_rate, revised_progression
from .terms import Terms

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)

# 28 significant digits, whatever the caller's context; amounts are at most 12 digits, so every
# product keeps at least 16 digits below the cent before it is rounded.
ENGINE_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
INSTALMENT_CONTEXT = Context(prec=56, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def round_cent(amount: Decimal) -> Decimal:
    """Round to the cent, half-up."""
    return amount.quantize(CENT, ROUND_HALF_UP)


class Row(NamedTuple):
    """One instalment. For rows ≥ 1: instalment = interest + capital + (deferred interest before − after).

    `rate` is the annual rate applied (fraction); `deferred_interest` is the stock after this row.
    Row 0 is pre-financing. Immutable like the dataclasses below, but a named tuple: a schedule
    makes one per period, and a frozen dataclass's constructor (one object.__setattr__ per field)
    took a quarter of the time of 10,000 40-year schedules.
    """

    number: int
    due_date: date
    rate: Decimal
    instalment: Decimal
    interest: Decimal
    capital: Decimal
    outstanding_after: Decimal
    deferred_interest: Decimal


@dataclass(frozen=True, slots=True)
class YearTotals:
    """Sums of the rows due in a calendar year, and the outstanding (and deferred interest) after its last row."""

    year: int
    instalments: Decimal
    interest: Decimal
    capital: Decimal
    outstanding_end: Decimal
    deferred_interest_end: Decimal


@dataclass(frozen=True, slots=True)
class Schedule:
    """A loan's rows and totals (see the module docstring for the conventions)."""

    terms: Terms
    rows: tuple[Row, ...]
    total_instalments: Decimal
    total_interest: Decimal
    total_capital: Decimal

    @property
    def capitalised_interest(self) -> Decimal:
        """Pre-financing interest added to the principal (0.00 unless pre-financing is capitalised)."""
        prefinancing = self.terms.prefinancing
        if prefinancing is not None and prefinancing.mode is PrefinancingMode.CAPITALISED:
            return self.rows[0].interest
        return ZERO

    @property
    def amortised_principal(self) -> Decimal:
        """What the capital column sums to: principal + capitalised pre-financing interest."""
        return self.terms.principal.quantize(CENT) + self.capitalised_interest

    @property
    def has_deferred_interest(self) -> bool:
        """Whether any row carries deferred interest."""
        return any(row.deferred_interest for row in self.rows)

    def by_year(self) -> tuple[YearTotals, ...]:
        """Yearly aggregates of the rows by calendar year of their due date (years with a row only)."""
        years: list[YearTotals] = []
        current: int | None = None
        instalments = interest = capital = ZERO
        last: Row | None = None
        for row in self.rows:
            year = row.due_date.year
            if year != current:
                if current is not None and last is not None:
                    years.append(
                        YearTotals(
                            current, instalments, interest, capital, last.outstanding_after, last.deferred_interest
                        )
                    )
                current, instalments, interest, capital = year, ZERO, ZERO, ZERO
            instalments += row.instalment
            interest += row.interest
            capital += row.capital
            last = row
        if current is not None and last is not None:
            years.append(
                YearTotals(current, instalments, interest, capital, last.outstanding_after, last.deferred_interest)
            )
        return tuple(years)

    def outstanding_at(self, day: date) -> Decimal:
        """Capital owed at the end of `day`: after every row due on or before it.

        0.00 before the loan is drawn (start of pre-financing, else of the first period); the
        principal from then until the first row. Deferred interest is not capital and is not included.
        """
        if day < self.terms.drawn_on:
            return ZERO
        position = bisect_right(self.rows, day, key=_due_date)
        if position == 0:
            return self.terms.principal.quantize(CENT)
        return self.rows[position - 1].outstanding_after


def _due_date(row: Row) -> date:
    return row.due_date


def first_instalment(outstanding: Decimal, rate: Decimal, progression: Decimal, periods: int) -> Decimal:
    """Unrounded first instalment of a progressive annuity (periodic rate i, periodic progression p, n periods).

    A₁ = K·(1+i)·(1−q)/(1−qⁿ) with q = (1+p)/(1+i); A₁ = K·(1+i)/n when q = 1.
    With p = 0 this is the level annuity K·i/(1 − (1+i)⁻ⁿ). Computed with 56 digits: after a double
    revision q may differ from 1 by a rounding error only, and 1 − q must keep its digits.
    """
    with localcontext(INSTALMENT_CONTEXT):
        one_plus_rate = ONE + rate
        ratio = (ONE + progression) / one_plus_rate
        if ratio == ONE:
            return outstanding * one_plus_rate / periods
        return outstanding * one_plus_rate * (ONE - ratio) / (ONE - ratio**periods)


def periodic_progression(progression: Decimal, periods_per_year: int, convention: RateConvention) -> Decimal:
    """Periodic progression of a yearly progression P: (1 + P)^(1/m) − 1 actuarial, P/m proportional."""
    return periodic_rate(progression, periods_per_year, convention)


def prefinancing_interest(principal: Decimal, annual_rate: Decimal, months: int, convention: RateConvention) -> Decimal:
    """Pre-financing interest = round(K·((1+r)^(months/12) − 1)) actuarial, round(K·r·months/12) proportional."""
    return round_cent(principal * prefinancing_rate(annual_rate, months, convention))


def period_rates(terms: Terms, dates: tuple[date, ...]) -> list[Decimal]:
    """Annual rate of each period: the rate in force on the period's first day (the previous due date)."""
    rate = terms.rate
    if not isinstance(rate, IndexedRate):
        return [rate.rate] * len(dates)
    starts = (terms.first_period_start, *dates[:-1])
    return [rate.rate_at(start) for start in starts]


def schedule(terms: Terms) -> Schedule:
    """The repayment schedule of `terms` (conventions in the module docstring)."""
    with localcontext(ENGINE_CONTEXT):
        dates = due_dates(terms.first_due, terms.periodicity.months, terms.period_count)
        annual_rates = period_rates(terms, dates)
        rows: list[Row] = []
        outstanding = terms.principal.quantize(CENT)  # exact (Terms checks whole cents), shown with two places
        if terms.prefinancing is not None:
            row = _prefinancing_row(terms)
            rows.append(row)
            outstanding = row.outstanding_after
        if terms.profile is Profile.ECHEANCE_PRIORITAIRE:
            _echeance_prioritaire_rows(terms, dates, annual_rates, outstanding, rows)
        else:
            _amortissement_prioritaire_rows(terms, dates, annual_rates, outstanding, rows)
        total_instalments = total_interest = total_capital = ZERO
        for row in rows:
            total_instalments += row.instalment
            total_interest += row.interest
            total_capital += row.capital
    return Schedule(terms, tuple(rows), total_instalments, total_interest, total_capital)


def _prefinancing_row(terms: Terms) -> Row:
    """Row 0, dated at the end of pre-financing: its interest paid, or capitalised into the outstanding."""
    assert terms.prefinancing is not None
    annual = terms.rate.rate_at(terms.drawn_on)
    principal = terms.principal.quantize(CENT)
    interest = prefinancing_interest(principal, annual, terms.prefinancing.months, terms.rate_convention)
    if terms.prefinancing.mode is PrefinancingMode.PAID:
        return Row(0, terms.first_period_start, annual, interest, interest, ZERO, principal, ZERO)
    return Row(0, terms.first_period_start, annual, ZERO, interest, ZERO, principal + interest, ZERO)


def _echeance_prioritaire_rows(
    terms: Terms, dates: tuple[date, ...], annual_rates: list[Decimal], outstanding: Decimal, rows: list[Row]
) -> None:
    """Instalment first: capital = instalment − interest − deferred interest repaid (see the module docstring)."""
    periods_per_year = terms.periods_per_year
    convention = terms.rate_convention
    revision = terms.rate.revision if isinstance(terms.rate, IndexedRate) else Revision.SIMPLE
    count = len(dates)
    deferral = terms.deferral_periods
    progression = terms.progression
    quantize = Decimal.quantize
    deferred = ZERO
    current: Decimal | None = None
    rate = growth = ZERO
    exact: Decimal | None = None  # unrounded instalment; None: to (re)compute at the next amortisation row
    append = rows.append
    for number in range(1, count + 1):
        annual = annual_rates[number - 1]
        if annual is not current and annual != current:
            if current is not None:
                progression = revised_progression(progression, current, annual, revision)
            current = annual
            rate = periodic_rate(annual, periods_per_year, convention)
            growth = ONE + periodic_progression(progression, periods_per_year, convention)
            exact = None
        interest = quantize(outstanding * rate, CENT, ROUND_HALF_UP)
        due = dates[number - 1]
        if number <= deferral:
            append(Row(number, due, annual, interest, interest, ZERO, outstanding, deferred))
            continue
        if exact is None:
            exact = first_instalment(outstanding, rate, growth - ONE, count - number + 1)
        elif growth != ONE:
            exact *= growth
        if number == count:
            append(Row(number, due, annual, interest + deferred + outstanding, interest, outstanding, ZERO, ZERO))
            return
        instalment = quantize(exact, CENT, ROUND_HALF_UP)
        available = instalment - interest
        if available < ZERO:
            deferred -= available
            append(Row(number, due, annual, instalment, interest, ZERO, outstanding, deferred))
            continue
        if deferred:
            repaid = available if available < deferred else deferred
            deferred -= repaid
            available -= repaid
        else:
            repaid = ZERO
        if available >= outstanding:
            # Everything is repaid before the last due date: this row takes only what is owed.
            append(Row(number, due, annual, interest + repaid + outstanding, interest, outstanding, ZERO, ZERO))
            return
        outstanding -= available
        append(Row(number, due, annual, instalment, interest, available, outstanding, deferred))


def _amortissement_prioritaire_rows(
    terms: Terms, dates: tuple[date, ...], annual_rates: list[Decimal], outstanding: Decimal, rows: list[Row]
) -> None:
    """Constant capital = round(K / N) over the N amortisation rows, the last taking the rest; interest added."""
    periods_per_year = terms.periods_per_year
    convention = terms.rate_convention
    count = len(dates)
    deferral = terms.deferral_periods
    quantize = Decimal.quantize
    current: Decimal | None = None
    rate = ZERO
    fixed_capital: Decimal | None = None
    append = rows.append
    for number in range(1, count + 1):
        annual = annual_rates[number - 1]
        if annual is not current and annual != current:
            current = annual
            rate = periodic_rate(annual, periods_per_year, convention)
        interest = quantize(outstanding * rate, CENT, ROUND_HALF_UP)
        due = dates[number - 1]
        if number <= deferral:
            append(Row(number, due, annual, interest, interest, ZERO, outstanding, ZERO))
            continue
        if fixed_capital is None:
            fixed_capital = quantize(outstanding / (count - deferral), CENT, ROUND_HALF_UP)
        capital = outstanding if number == count or fixed_capital >= outstanding else fixed_capital
        outstanding -= capital
        append(Row(number, due, annual, capital + interest, interest, capital, outstanding, ZERO))
        if not outstanding:
            return
