"""Invariants of every schedule, over random terms (both profiles, fixed or indexed, deferral, pre-financing)."""

from __future__ import annotations

from calendar import monthrange
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given

from espace.finance import PrefinancingMode, Schedule, Terms, schedule
from espace.finance.rates import periodic_rate
from espace.finance.schedule import ENGINE_CONTEXT

from .strategies import terms

CENT = Decimal("0.01")


@pytest.mark.long
@given(terms())
def test_capital_repaid_is_the_amortised_principal_and_outstanding_ends_at_zero(loan: Terms) -> None:
    result = schedule(loan)
    capitalised = (
        result.rows[0].interest if loan.prefinancing and loan.prefinancing.mode is PrefinancingMode.CAPITALISED else 0
    )
    assert sum(row.capital for row in result.rows) == loan.principal + capitalised == result.total_capital
    assert result.rows[-1].outstanding_after == Decimal("0.00")
    assert result.rows[-1].deferred_interest == Decimal("0.00")
    assert result.total_instalments == result.total_interest + loan.principal
    assert result.total_instalments == sum(row.instalment for row in result.rows)
    assert result.total_interest == sum(row.interest for row in result.rows)


@pytest.mark.long
@given(terms())
def test_amounts_are_cents_never_negative_and_outstanding_never_grows(loan: Terms) -> None:
    result = schedule(loan)
    previous = result.amortised_principal
    for row in result.rows:
        for amount in (row.instalment, row.interest, row.capital, row.outstanding_after, row.deferred_interest):
            assert amount >= 0
            assert amount == amount.quantize(CENT)
        assert row.outstanding_after <= previous
        previous = row.outstanding_after


@pytest.mark.long
@given(terms())
def test_each_row_is_interest_on_the_outstanding_and_balances(loan: Terms) -> None:
    """interest = round(outstanding before × periodic rate); instalment = interest + capital + deferred repaid."""
    result = schedule(loan)
    outstanding = result.amortised_principal
    deferred = Decimal(0)
    for row in result.rows:
        if row.number == 0:
            continue
        with localcontext(ENGINE_CONTEXT):
            rate = periodic_rate(row.rate, loan.periods_per_year, loan.rate_convention)
            assert row.interest == (outstanding * rate).quantize(CENT, ROUND_HALF_UP)
        assert row.instalment == row.interest + row.capital + deferred - row.deferred_interest
        assert row.outstanding_after == outstanding - row.capital
        outstanding, deferred = row.outstanding_after, row.deferred_interest


@pytest.mark.long
@given(terms())
def test_rows_follow_the_calendar(loan: Terms) -> None:
    result = schedule(loan)
    numbered = [row for row in result.rows if row.number]
    assert [row.number for row in numbered] == list(range(1, len(numbered) + 1))
    assert len(numbered) <= loan.period_count
    assert numbered[0].due_date == loan.first_due
    assert all(earlier.due_date < later.due_date for earlier, later in zip(result.rows, result.rows[1:], strict=False))
    assert all(
        row.due_date.day == min(loan.first_due.day, monthrange(row.due_date.year, row.due_date.month)[1])
        for row in numbered
    )
    if len(numbered) == loan.period_count:
        last = numbered[-1].due_date
        months = (last.year - loan.first_due.year) * 12 + last.month - loan.first_due.month
        assert months == (loan.period_count - 1) * loan.periodicity.months


@pytest.mark.long
@given(terms())
def test_yearly_aggregates_add_up_and_outstanding_at_matches_rows(loan: Terms) -> None:
    result: Schedule = schedule(loan)
    years = result.by_year()
    assert sum(year.instalments for year in years) == result.total_instalments
    assert sum(year.interest for year in years) == result.total_interest
    assert sum(year.capital for year in years) == result.total_capital
    assert [year.year for year in years] == sorted({row.due_date.year for row in result.rows})
    for year in years:
        last_of_year = [row for row in result.rows if row.due_date.year == year.year][-1]
        assert year.outstanding_end == last_of_year.outstanding_after
        assert result.outstanding_at(last_of_year.due_date) == last_of_year.outstanding_after
