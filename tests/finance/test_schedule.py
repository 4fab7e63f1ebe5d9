"""Repayment schedules: each rule of DOMAIN.md, on worked examples and on random terms."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from espace.finance import (
    FixedRate,
    IndexedRate,
    Periodicity,
    Prefinancing,
    PrefinancingMode,
    Profile,
    RateConvention,
    RateHistory,
    Revision,
    Terms,
    livret_a_history,
    schedule,
)
from espace.finance.rates import periodic_rate
from espace.finance.schedule import ENGINE_CONTEXT

from .strategies import indexed_rates, principals, rates, terms

CENT = Decimal("0.01")
D = Decimal


def round_half_up(value: Fraction) -> Decimal:
    """Exact half-up rounding of a rational amount to the cent."""
    cents, remainder = divmod(value * 100, 1)
    return Decimal(int(cents) + (1 if remainder >= Fraction(1, 2) else 0)).scaleb(-2)


def near_half_cent(value: Fraction) -> bool:
    """Whether `value` is so close to a half cent that 28-digit arithmetic may round it either way."""
    return abs((value * 100) % 1 - Fraction(1, 2)) < Fraction(1, 10**15)


def fixed_terms(**changes: object) -> Terms:
    base: dict[str, object] = {
        "principal": D("100000.00"),
        "periodicity": Periodicity.ANNUAL,
        "duration_years": 10,
        "first_due": date(2027, 3, 1),
        "profile": Profile.ECHEANCE_PRIORITAIRE,
        "rate": FixedRate(D("0.03")),
    }
    base.update(changes)
    return Terms(**base)  # type: ignore[arg-type]


# --- Level annuity: numpy-financial's pmt ---------------------------------------------------------


@pytest.mark.long
@given(
    terms(profile=Profile.ECHEANCE_PRIORITAIRE, rate=st.builds(FixedRate, rates), progression=st.just(D(0))),
    st.integers(min_value=10_000_000, max_value=5_000_000_000).map(lambda cents: D(cents).scaleb(-2)),
)
def test_level_annuity_is_numpy_financial_pmt_on_every_row_but_the_last(loan: Terms, principal: Decimal) -> None:
    """pmt is computed by numpy-financial on Decimal objects (exact to 28 digits), not on floats.

    From 100,000.00 up, rounding (at most half a cent a period, accumulated with interest: at worst
    0.005 × s₇₂₀ at 12 % ≈ 490) cannot repay the loan before its last due date; smaller loans may end
    early (see test_tiny_loan_repaid_before_its_last_due_date).
    """
    loan = dataclasses.replace(loan, principal=principal)
    result = schedule(loan)
    assert isinstance(loan.rate, FixedRate)
    amortised = [row for row in result.rows if row.number > loan.deferral_periods]
    with localcontext(ENGINE_CONTEXT):
        rate = periodic_rate(loan.rate.rate, loan.periods_per_year, loan.rate_convention)
    periods = loan.period_count - loan.deferral_periods
    with localcontext(Context(prec=50)):
        precise = npf.pmt(rate, periods, -result.amortised_principal)
    assume(not near_half_cent(Fraction(precise)))
    with localcontext(ENGINE_CONTEXT):
        expected = npf.pmt(rate, periods, -result.amortised_principal).quantize(CENT, ROUND_HALF_UP)
    assert len(amortised) == periods
    assert [row.instalment for row in amortised[:-1]] == [expected] * (periods - 1)


def test_tiny_loan_repaid_before_its_last_due_date() -> None:
    # 1,000.00 at 0 % over 48 years monthly: 1000 / 576 = 1.7361 → 1.74 a month; after 574 rows
    # (998.76) only 1.24 is left: row 575 repays it and the schedule ends one row early.
    rows = schedule(
        fixed_terms(principal=D("1000.00"), periodicity=Periodicity.MONTHLY, duration_years=48, rate=FixedRate(D(0)))
    ).rows
    assert len(rows) == 575
    assert {row.instalment for row in rows[:-1]} == {D("1.74")}
    assert (rows[-1].instalment, rows[-1].capital, rows[-1].outstanding_after) == (D("1.24"), D("1.24"), D("0.00"))


def test_level_annuity_example() -> None:
    # 100,000 at 3 % over 10 years: 100000 × 0.03 / (1 − 1.03⁻¹⁰) = 11723.0506…
    result = schedule(fixed_terms())
    assert {row.instalment for row in result.rows[:-1]} == {D("11723.05")}
    assert result.rows[0].interest == D("3000.00")
    assert result.rows[0].capital == D("8723.05")
    assert sum(row.capital for row in result.rows) == D("100000.00")
    assert result.rows[-1].outstanding_after == D("0.00")


# --- Progressive annuity: the closed form of DOMAIN.md ---------------------------------------------


@pytest.mark.long
@given(
    principal=principals,
    rate_bp=st.integers(0, 1200),
    progression_bp=st.integers(-1000, 1000),
    years=st.integers(1, 60),
)
def test_progressive_instalments_follow_the_closed_form(
    principal: Decimal, rate_bp: int, progression_bp: int, years: int
) -> None:
    """A₁ = K·(1+r)·(1−q)/(1−qⁿ), q = (1+P)/(1+r), Aₖ = A₁·(1+P)^(k−1), computed exactly with fractions."""
    loan = fixed_terms(
        principal=principal,
        duration_years=years,
        rate=FixedRate(D(rate_bp).scaleb(-4)),
        progression=D(progression_bp).scaleb(-4),
    )
    r = Fraction(rate_bp, 10_000)
    p = Fraction(progression_bp, 10_000)
    k = Fraction(principal)
    q = (1 + p) / (1 + r)
    first = k * (1 + r) / years if q == 1 else k * (1 + r) * (1 - q) / (1 - q**years)
    expected = [first * (1 + p) ** number for number in range(years)]
    assume(not any(near_half_cent(amount) for amount in expected))
    rows = schedule(loan).rows
    # Every row but the last pays the formula's instalment (an early end shortens the schedule).
    assert [row.instalment for row in rows[:-1]] == [round_half_up(amount) for amount in expected[: len(rows) - 1]]


def test_progressive_first_instalment_monthly() -> None:
    # 1,000,000 over 40 years monthly at 3.1 %, progression 0.5 %, actuarial:
    # i = 1.031^(1/12) − 1 = 0.002547339…, p = 1.005^(1/12) − 1 = 0.000415715…,
    # q = (1+p)/(1+i) = 0.997873792…, A₁ = K·(1+i)·(1−q)/(1−q⁴⁸⁰) = 1e6 × 1.002547339 × 0.002126208 / 0.640005506
    # = 3330.6347 → 3330.63.
    loan = fixed_terms(
        principal=D("1000000.00"),
        periodicity=Periodicity.MONTHLY,
        duration_years=40,
        rate=FixedRate(D("0.031")),
        progression=D("0.005"),
    )
    with localcontext(Context(prec=40)):
        i = D("1.031") ** (D(1) / 12) - 1
        p = D("1.005") ** (D(1) / 12) - 1
        q = (1 + p) / (1 + i)
        first = D("1000000") * (1 + i) * (1 - q) / (1 - q**480)
    rows = schedule(loan).rows
    assert rows[0].instalment == first.quantize(CENT, ROUND_HALF_UP) == D("3330.63")
    assert rows[12].instalment == (first * (1 + p) ** 12).quantize(CENT, ROUND_HALF_UP)


def test_zero_rate_without_progression_repays_principal_over_n() -> None:
    # q = 1: A₁ = K·(1+0)/n = 100,000 / 3 = 33,333.33…
    rows = schedule(fixed_terms(duration_years=3, rate=FixedRate(D(0)))).rows
    assert [row.instalment for row in rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert {row.interest for row in rows} == {D("0.00")}


def test_progression_equal_to_rate_uses_the_limit_formula() -> None:
    # q = (1+P)/(1+r) = 1: A₁ = K·(1+r)/n = 90,000 × 1.02 / 3 = 30,600; A₂ = 30,600 × 1.02 = 31,212.
    rows = schedule(
        fixed_terms(principal=D("90000.00"), duration_years=3, rate=FixedRate(D("0.02")), progression=D("0.02"))
    ).rows
    assert [row.instalment for row in rows[:2]] == [D("30600.00"), D("31212.00")]
    assert rows[-1].outstanding_after == D("0.00")


# --- Revision ---------------------------------------------------------------------------------------


@st.composite
def constant_index_terms(draw: st.DrawFn) -> Terms:
    index = RateHistory.constant(draw(rates))
    rate = IndexedRate(index, D(draw(st.integers(-100, 150))).scaleb(-4), draw(st.sampled_from(Revision)))
    return draw(terms(rate=st.just(rate), progression=st.integers(-1000, 1000).map(lambda bp: D(bp).scaleb(-4))))


@pytest.mark.long
@given(constant_index_terms())
def test_constant_index_gives_exactly_the_fixed_rate_schedule(loan: Terms) -> None:
    assert isinstance(loan.rate, IndexedRate)
    twin = dataclasses.replace(loan, rate=FixedRate(loan.rate.rate_at(loan.first_due)))
    assert schedule(loan).rows == schedule(twin).rows


def double_revision_terms(revision: Revision) -> Terms:
    return fixed_terms(
        principal=D("10000.00"),
        duration_years=4,
        first_due=date(2025, 3, 1),
        rate=IndexedRate(livret_a_history(), D("0.006"), revision),
        progression=D("0.01"),
    )


def test_double_revision_through_two_livret_a_changes() -> None:
    """10,000 over 4 years, annual, Livret A + 0.60 %, progression 1 %, double revision, first due 1 March 2025.

    Period k starts on the previous due date (period 1 on 1 March 2024) and takes the Livret A then:
      period 1: 3.00 % → r = 3.60 %   period 2 (1 Mar 2025): 2.40 % → r = 3.00 %
      period 3 (1 Mar 2026): 1.50 % → r = 2.10 %   period 4: 1.50 % → 2.10 %, unchanged, no recompute.
    Double revision keeps q = (1+P)/(1+r) = 1.01/1.036 = 505/518 = 0.974903475 through both changes,
    since P′ = (1+P)(1+r₁)/(1+r₀) − 1.
    Row 1: A₁ = K·(1+r)·(1−q)/(1−q⁴) = 10000 × 0.026 / (1 − 0.903330083) = 260 / 0.096669917 = 2689.56;
           interest 10000 × 0.036 = 360.00; capital 2329.56; outstanding 7670.44.
    Row 2: r = 3.00 %, P′ = 1.01 × 1.03 / 1.036 − 1 = 0.4150579 %; remaining 3 periods:
           A = 7670.44 × 1.03 × (1 − q)/(1 − q³) = 7670.44 × 1.03 × 0.025096525 / 0.073415875 = 2700.73;
           interest 7670.44 × 0.03 = 230.1132 → 230.11; capital 2470.62; outstanding 5199.82.
    Row 3: r = 2.10 %, P″ = 1.01 × 1.021 / 1.036 − 1 = −0.4623552 %; remaining 2 periods:
           A = 5199.82 × 1.021 × (1 − q)/(1 − q²) = 5199.82 × 1.021 / (1 + q) = 5308.97622 / 1.974903475 = 2688.24;
           interest 5199.82 × 0.021 = 109.19622 → 109.20; capital 2579.04; outstanding 2620.78.
    Row 4: last row: interest 2620.78 × 0.021 = 55.03638 → 55.04; capital 2620.78; instalment 2675.82
           (the formula's 2688.2409 × (1 − 0.004623552) = 2675.81: the last row absorbs 0.01).
    """
    rows = schedule(double_revision_terms(Revision.DOUBLE)).rows
    assert [(row.rate, row.instalment, row.interest, row.capital, row.outstanding_after) for row in rows] == [
        (D("0.036"), D("2689.56"), D("360.00"), D("2329.56"), D("7670.44")),
        (D("0.030"), D("2700.73"), D("230.11"), D("2470.62"), D("5199.82")),
        (D("0.021"), D("2688.24"), D("109.20"), D("2579.04"), D("2620.78")),
        (D("0.021"), D("2675.82"), D("55.04"), D("2620.78"), D("0.00")),
    ]


def test_double_limitee_floors_the_revised_progression_at_zero() -> None:
    """Same loan, double limitée: rows 1–2 as double (P′ = +0.415 % ≥ 0); at row 3 P″ = −0.46 % becomes 0:

    q″ = 1/1.021, A = 5199.82 × 1.021 × (1 − q″)/(1 − q″²) = 5199.82 × 1.021² / 2.021 = 5420.50556 / 2.021 = 2682.09;
    interest 109.20; capital 2572.89; outstanding 2626.93; row 4: interest 2626.93 × 0.021 = 55.16553 → 55.17,
    instalment 2626.93 + 55.17 = 2682.10 (the formula's 2682.09 with P = 0: the last row absorbs 0.01).
    """
    rows = schedule(double_revision_terms(Revision.DOUBLE_LIMITEE)).rows
    assert [row.instalment for row in rows] == [D("2689.56"), D("2700.73"), D("2682.09"), D("2682.10")]
    assert rows[2].outstanding_after == D("2626.93")


def test_simple_revision_keeps_the_progression() -> None:
    """Simple revision, row 2: P stays 1 %, q = 1.01/1.03 = 0.980582524,
    A = 7670.44 × 1.03 × (1 − q)/(1 − q³) = 7670.44 × 1.03 × 0.019417476 / 0.057128633 = 2685.32."""
    rows = schedule(double_revision_terms(Revision.SIMPLE)).rows
    assert rows[0].instalment == D("2689.56")
    with localcontext(Context(prec=40)):
        q = D("1.01") / D("1.03")
        expected = (D("7670.44") * D("1.03") * (1 - q) / (1 - q**3)).quantize(CENT, ROUND_HALF_UP)
    assert rows[1].instalment == expected == D("2685.32")


def test_amortissement_prioritaire_indexed_keeps_its_capital() -> None:
    loan = double_revision_terms(Revision.DOUBLE)
    rows = schedule(dataclasses.replace(loan, profile=Profile.AMORTISSEMENT_PRIORITAIRE, progression=D(0))).rows
    # Capital 10,000 / 4 = 2,500 each year; interest 10000 × 3.6 %, 7500 × 3 %, 5000 × 2.1 %, 2500 × 2.1 %.
    assert [row.capital for row in rows] == [D("2500.00")] * 4
    assert [row.interest for row in rows] == [D("360.00"), D("225.00"), D("105.00"), D("52.50")]


def test_rate_of_a_period_is_the_index_at_its_start_floored_plus_margin() -> None:
    # Monthly, first due 1 Feb 2020: period 1 starts 1 Jan 2020 (Livret A 0.75 %), period 2 starts
    # 1 Feb 2020 (0.50 %); margin −0.20 % (PLAI): 0.55 %, then 0.30 %. With an index floor of 0.60 %:
    # 0.55 %, then 0.40 % until the Livret A rises to 1.00 % on 1 Feb 2022 (period 26 starts then: 0.80 %).
    loan = fixed_terms(
        periodicity=Periodicity.MONTHLY,
        first_due=date(2020, 2, 1),
        rate=IndexedRate(livret_a_history(), D("-0.002"), Revision.SIMPLE),
    )
    rows = schedule(loan).rows
    assert [rows[0].rate, rows[1].rate] == [D("0.0055"), D("0.0030")]
    floored = dataclasses.replace(loan, rate=IndexedRate(livret_a_history(), D("-0.002"), index_floor=D("0.006")))
    floored_rates = [row.rate for row in schedule(floored).rows]
    assert floored_rates[:26] == [D("0.0055")] + [D("0.0040")] * 24 + [D("0.0080")]


def test_rate_never_below_zero() -> None:
    loan = fixed_terms(rate=IndexedRate(RateHistory.constant(D("0.005")), D("-0.01")))
    assert {row.rate for row in schedule(loan).rows} == {D(0)}


# --- Amortissement prioritaire, deferral, deferred interest -----------------------------------------


@pytest.mark.long
@given(terms(profile=Profile.AMORTISSEMENT_PRIORITAIRE))
def test_amortissement_prioritaire_capital_is_constant_but_the_last(loan: Terms) -> None:
    result = schedule(loan)
    amortised = [row for row in result.rows if row.number > loan.deferral_periods]
    with localcontext(ENGINE_CONTEXT):
        fixed = (result.amortised_principal / (loan.period_count - loan.deferral_periods)).quantize(CENT, ROUND_HALF_UP)
    assert {row.capital for row in amortised[:-1]} <= {fixed}
    assert all(row.instalment == row.capital + row.interest for row in amortised)
    assert sum(row.capital for row in result.rows) == result.amortised_principal


def test_amortissement_prioritaire_example() -> None:
    # 100,000 / 3 = 33,333.33 twice, the last 33,333.34; interest 3 % of the outstanding.
    rows = schedule(fixed_terms(duration_years=3, profile=Profile.AMORTISSEMENT_PRIORITAIRE)).rows
    assert [row.capital for row in rows] == [D("33333.33"), D("33333.33"), D("33333.34")]
    assert [row.interest for row in rows] == [D("3000.00"), D("2000.00"), D("1000.00")]
    assert [row.instalment for row in rows] == [D("36333.33"), D("35333.33"), D("34333.34")]


@pytest.mark.long
@given(terms())
def test_deferral_rows_pay_interest_only(loan: Terms) -> None:
    result = schedule(loan)
    deferral = [row for row in result.rows if 1 <= row.number <= loan.deferral_periods]
    assert len(deferral) == loan.deferral_periods
    assert all(row.capital == 0 and row.instalment == row.interest for row in deferral)
    assert all(row.outstanding_after == result.amortised_principal for row in deferral)


def test_deferral_example() -> None:
    # 2 years of deferral in 5: 3,000 of interest twice, then a 3-year annuity on 100,000 at 3 %: 35,353.04.
    rows = schedule(fixed_terms(duration_years=5, deferral_years=2)).rows
    assert [(row.instalment, row.capital) for row in rows[:2]] == [(D("3000.00"), D("0.00"))] * 2
    assert rows[2].instalment == D("35353.04")
    assert sum(row.capital for row in rows) == D("100000.00")


def strong_progression_terms(**changes: object) -> Terms:
    # 9 % with 8 % progression over 30 years: q = 1.08/1.09 = 0.990825688,
    # A₁ = 100000 × 1.09 × (1 − q)/(1 − q³⁰) = 100000 × 1.09 × 0.009174312 / 0.241566118 = 4139.65,
    # far below the 9,000.00 of interest of the first year.
    base: dict[str, object] = {"duration_years": 30, "rate": FixedRate(D("0.09")), "progression": D("0.08")}
    base.update(changes)
    return fixed_terms(**base)


def test_deferred_interest_when_the_instalment_does_not_cover_the_interest() -> None:
    rows = schedule(strong_progression_terms()).rows
    first = rows[0]
    assert first.instalment == D("4139.65")
    assert (first.interest, first.capital, first.outstanding_after) == (D("9000.00"), D("0.00"), D("100000.00"))
    assert first.deferred_interest == D("4860.35")  # 9,000.00 − 4,139.65, carried without interest
    # Row 2: the instalment grows by 8 % (4139.6534 × 1.08 = 4470.83), the interest does not (the stock bears none).
    assert rows[1].instalment == D("4470.83")
    assert rows[1].interest == D("9000.00")
    assert rows[1].deferred_interest == D("4860.35") + D("9000.00") - D("4470.83")
    assert all(row.capital >= 0 and row.deferred_interest >= 0 for row in rows)
    assert rows[-1].deferred_interest == 0 and rows[-1].outstanding_after == 0
    assert sum(row.capital for row in rows) == D("100000.00")


@pytest.mark.long
@given(
    terms(
        profile=Profile.ECHEANCE_PRIORITAIRE,
        rate=st.integers(600, 1200).map(lambda bp: FixedRate(D(bp).scaleb(-4))) | indexed_rates(),
        progression=st.integers(500, 1000).map(lambda bp: D(bp).scaleb(-4)),
    )
)
def test_deferred_interest_never_makes_capital_negative(loan: Terms) -> None:
    result = schedule(loan)
    previous = D(0)
    for row in result.rows:
        assert row.capital >= 0 and row.deferred_interest >= 0 and row.outstanding_after >= 0
        if row.number:
            assert row.instalment == row.interest + row.capital + previous - row.deferred_interest
        previous = row.deferred_interest
    assert result.rows[-1].deferred_interest == 0
    assert result.total_capital == result.amortised_principal
    assert result.total_instalments == result.total_interest + loan.principal


# --- Pre-financing -----------------------------------------------------------------------------------


def test_prefinancing_paid() -> None:
    # Drawn on 1 Sep 2025, pre-financing ends on 1 Mar 2026 (one period before the first due date):
    # 100000 × (1.03^(6/12) − 1) = 100000 × 0.0148891565 = 1488.92.
    loan = fixed_terms(prefinancing=Prefinancing(6, PrefinancingMode.PAID))
    result = schedule(loan)
    row = result.rows[0]
    assert (row.number, row.due_date, row.instalment, row.interest, row.capital, row.outstanding_after) == (
        0,
        date(2026, 3, 1),
        D("1488.92"),
        D("1488.92"),
        D("0.00"),
        D("100000.00"),
    )
    assert loan.drawn_on == date(2025, 9, 1)
    assert result.rows[1:] == schedule(fixed_terms()).rows
    assert result.total_instalments == result.total_interest + D("100000.00")


def test_prefinancing_capitalised() -> None:
    result = schedule(fixed_terms(prefinancing=Prefinancing(6, PrefinancingMode.CAPITALISED)))
    row = result.rows[0]
    assert (row.instalment, row.interest, row.capital, row.outstanding_after) == (
        D("0.00"),
        D("1488.92"),
        D("0.00"),
        D("101488.92"),
    )
    # The amortised principal is 101,488.92: the rest is the schedule of a loan of that amount.
    assert result.rows[1:] == schedule(fixed_terms(principal=D("101488.92"))).rows
    assert result.total_capital == result.amortised_principal == D("101488.92")
    assert result.capitalised_interest == D("1488.92")
    assert result.total_instalments == result.total_interest + D("100000.00")


def test_prefinancing_proportional() -> None:
    # 100000 × 0.03 × 6/12 = 1500.00.
    loan = fixed_terms(prefinancing=Prefinancing(6, PrefinancingMode.PAID), rate_convention=RateConvention.PROPORTIONAL)
    assert schedule(loan).rows[0].interest == D("1500.00")


def test_prefinancing_takes_the_index_of_the_drawing_day() -> None:
    # Drawn on 1 Jan 2025 (Livret A 3.00 %, + 0.60 %), 12 months: 100000 × 0.036 = 3600.00;
    # period 1 starts on 1 Jan 2026 (Livret A 2.40 % since 1 Feb 2025): 3.00 %.
    loan = fixed_terms(
        first_due=date(2027, 1, 1),
        rate=IndexedRate(livret_a_history(), D("0.006"), Revision.SIMPLE),
        prefinancing=Prefinancing(12, PrefinancingMode.PAID),
    )
    rows = schedule(loan).rows
    assert (rows[0].rate, rows[0].interest) == (D("0.036"), D("3600.00"))
    assert rows[1].rate == D("0.023")


# --- Dates and helpers -------------------------------------------------------------------------------


def test_monthly_due_dates_from_31_january_are_clamped() -> None:
    loan = fixed_terms(periodicity=Periodicity.MONTHLY, first_due=date(2027, 1, 31), duration_years=2)
    days = [row.due_date for row in schedule(loan).rows]
    assert days[:5] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30), date(2027, 5, 31)]
    assert days[13] == date(2028, 2, 29)  # leap year
    assert days[-1] == date(2028, 12, 31)


def test_quarterly_due_dates_and_first_period_start() -> None:
    loan = fixed_terms(periodicity=Periodicity.QUARTERLY, first_due=date(2027, 5, 31), duration_years=1)
    assert [row.due_date for row in schedule(loan).rows] == [
        date(2027, 5, 31),
        date(2027, 8, 31),
        date(2027, 11, 30),
        date(2028, 2, 29),
    ]
    assert loan.first_period_start == date(2027, 2, 28)


def test_prefinancing_dates_keep_the_day_of_first_due() -> None:
    # First due 31 March 2027, monthly: pre-financing ends on 28 February 2027 and, 6 months long,
    # starts on 31 August 2026 (first_due's day), not 28 August.
    loan = fixed_terms(
        periodicity=Periodicity.MONTHLY,
        first_due=date(2027, 3, 31),
        prefinancing=Prefinancing(6, PrefinancingMode.PAID),
    )
    assert (loan.first_period_start, loan.drawn_on) == (date(2027, 2, 28), date(2026, 8, 31))
    assert schedule(loan).rows[0].due_date == date(2027, 2, 28)


def test_by_year_and_outstanding_at() -> None:
    loan = fixed_terms(
        periodicity=Periodicity.SEMIANNUAL,
        first_due=date(2027, 6, 30),
        duration_years=3,
        prefinancing=Prefinancing(3, PrefinancingMode.PAID),
    )
    result = schedule(loan)
    rows = result.rows
    # Row 0 on 31 Dec 2026 (end of pre-financing), then 30 Jun and 31 Dec of 2027, 2028, 2029.
    years = result.by_year()
    assert [year.year for year in years] == [2026, 2027, 2028, 2029]
    assert years[0].instalments == rows[0].instalment
    assert years[1].instalments == rows[1].instalment + rows[2].instalment
    assert years[1].interest == rows[1].interest + rows[2].interest
    assert years[1].capital == rows[1].capital + rows[2].capital
    assert years[1].outstanding_end == rows[2].outstanding_after
    assert years[-1].outstanding_end == D("0.00")
    assert sum(year.instalments for year in years) == result.total_instalments
    assert loan.drawn_on == date(2026, 9, 30)
    assert result.outstanding_at(date(2026, 9, 29)) == D("0.00")
    assert result.outstanding_at(date(2026, 9, 30)) == D("100000.00")
    assert result.outstanding_at(date(2027, 6, 29)) == D("100000.00")
    assert result.outstanding_at(date(2027, 6, 30)) == rows[1].outstanding_after
    assert result.outstanding_at(date(2028, 1, 1)) == rows[2].outstanding_after
    assert result.outstanding_at(date(2040, 1, 1)) == D("0.00")


def test_result_does_not_depend_on_the_callers_decimal_context() -> None:
    loan = fixed_terms(periodicity=Periodicity.MONTHLY, progression=D("0.005"))
    expected = schedule(loan)
    with localcontext(Context(prec=6, rounding="ROUND_DOWN")):
        assert schedule(loan) == expected
