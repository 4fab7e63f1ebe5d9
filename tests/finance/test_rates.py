"""Rate histories (Livret A), indexed rates with their floors, periodic equivalents, revised progression."""

from __future__ import annotations

import math
from datetime import date
from decimal import Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from espace.finance import FixedRate, IndexedRate, RateHistory, Revision, TermsError, livret_a, livret_a_history
from espace.finance.enums import RateConvention
from espace.finance.errors import RateHistoryError
from espace.finance.rates import periodic_rate, prefinancing_rate, revised_progression
from espace.finance.schedule import ENGINE_CONTEXT

D = Decimal


def test_livret_a_history_holds_every_dated_value_of_domain() -> None:
    expected = [
        ("2008-08-01", "4.00"),
        ("2009-02-01", "2.50"),
        ("2009-05-01", "1.75"),
        ("2009-08-01", "1.25"),
        ("2010-08-01", "1.75"),
        ("2011-02-01", "2.00"),
        ("2011-08-01", "2.25"),
        ("2013-02-01", "1.75"),
        ("2013-08-01", "1.25"),
        ("2014-08-01", "1.00"),
        ("2015-08-01", "0.75"),
        ("2020-02-01", "0.50"),
        ("2022-02-01", "1.00"),
        ("2022-08-01", "2.00"),
        ("2023-02-01", "3.00"),
        ("2025-02-01", "2.40"),
        ("2025-08-01", "1.70"),
        ("2026-02-01", "1.50"),
    ]
    assert livret_a_history().entries == tuple((date.fromisoformat(day), D(pct) / 100) for day, pct in expected)
    assert livret_a().floor == D("0.005")
    assert livret_a().revision_dates == ((2, 1), (8, 1))


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2008, 8, 1), "0.04"),
        (date(2009, 4, 30), "0.025"),
        (date(2009, 5, 1), "0.0175"),
        (date(2025, 1, 31), "0.03"),
        (date(2025, 2, 1), "0.024"),
        (date(2025, 8, 1), "0.017"),
        (date(2026, 1, 31), "0.017"),
        (date(2026, 2, 1), "0.015"),
        (date(2070, 1, 1), "0.015"),
    ],
)
def test_rate_at_is_the_value_in_force_that_day(day: date, rate: str) -> None:
    assert livret_a_history().rate_at(day) == D(rate)


def test_a_day_before_the_history_is_an_error() -> None:
    with pytest.raises(RateHistoryError, match="no rate before 2008-08-01"):
        livret_a_history().rate_at(date(2008, 7, 31))


@pytest.mark.parametrize(
    "entries",
    [
        (),
        ((date(2020, 1, 1), D("0.01")), (date(2020, 1, 1), D("0.02"))),
        ((date(2021, 1, 1), D("0.01")), (date(2020, 1, 1), D("0.02"))),
        ((date(2020, 1, 1), 0.01),),
    ],
)
def test_rate_history_refuses_bad_entries(entries: tuple[tuple[date, Decimal], ...]) -> None:
    with pytest.raises(RateHistoryError):
        RateHistory(entries)


def test_indexed_rate_floors() -> None:
    history = RateHistory.constant(D("0.001"))
    # max(max(0.10 %, 0.50 %) − 0.20 %, 0) = 0.30 %; with a −1 % margin: 0.
    assert IndexedRate(history, D("-0.002"), Revision.SIMPLE).rate_at(date(2030, 1, 1)) == D("0.003")
    assert IndexedRate(history, D("-0.01"), Revision.SIMPLE).rate_at(date(2030, 1, 1)) == 0
    assert IndexedRate(history, D("0.006"), Revision.SIMPLE, D("0")).rate_at(date(2030, 1, 1)) == D("0.007")


@pytest.mark.parametrize("rate", [D("-0.0001"), D("1.01"), D("NaN")])
def test_fixed_rate_must_be_a_fraction_between_0_and_1(rate: Decimal) -> None:
    with pytest.raises(TermsError) as error:
        FixedRate(rate)
    assert error.value.field == "rate"


@pytest.mark.long
@given(st.integers(0, 2000), st.sampled_from([1, 2, 4, 12]))
def test_actuarial_periodic_rate_compounds_back_to_the_annual_rate(bp: int, periods: int) -> None:
    annual = D(bp).scaleb(-4)
    with localcontext(ENGINE_CONTEXT):
        rate = periodic_rate(annual, periods, RateConvention.ACTUARIAL)
        assert abs((1 + rate) ** periods - 1 - annual) < D("1e-25")
        assert periodic_rate(annual, periods, RateConvention.PROPORTIONAL) * periods == annual
    # Floats as an independent check, through log1p/expm1 to avoid the cancellation of (1 + x)^(1/m) − 1.
    assert math.isclose(float(rate), math.expm1(math.log1p(bp / 10_000) / periods), rel_tol=1e-12, abs_tol=1e-18)


def test_prefinancing_rate() -> None:
    with localcontext(ENGINE_CONTEXT):
        assert prefinancing_rate(D("0.03"), 24, RateConvention.ACTUARIAL) == D("0.0609")  # 1.03² − 1
        assert prefinancing_rate(D("0.03"), 6, RateConvention.PROPORTIONAL) == D("0.015")
        with localcontext(Context(prec=40)):
            expected = D("1.03").sqrt() - 1
        assert abs(prefinancing_rate(D("0.03"), 6, RateConvention.ACTUARIAL) - expected) < D("1e-27")


@pytest.mark.long
@given(st.integers(-300, 300), st.integers(0, 800), st.integers(0, 800))
def test_double_revision_is_domain_formula(progression_bp: int, before_bp: int, after_bp: int) -> None:
    """P′ = (1+P)·(1+r₁)/(1+r₀) − 1 equals DOMAIN.md's (1+P)·(1 + ΔLA/(1+r₀)) − 1, ΔLA = r₁ − r₀."""
    p, r0, r1 = (D(value).scaleb(-4) for value in (progression_bp, before_bp, after_bp))
    with localcontext(ENGINE_CONTEXT):
        revised = revised_progression(p, r0, r1, Revision.DOUBLE)
        assert abs(revised - ((1 + p) * (1 + (r1 - r0) / (1 + r0)) - 1)) < D("1e-26")
        assert revised_progression(p, r0, r1, Revision.SIMPLE) == p
        assert revised_progression(p, r0, r1, Revision.DOUBLE_LIMITEE) == max(revised, D(0))
