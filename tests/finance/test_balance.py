"""Operation balance: a hand-checked three-year operation, the break-even rent, the financing plan."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from espace.finance import FixedRate, Periodicity, Profile, Terms, schedule
from espace.finance.balance import (
    DwellingGroup,
    OperationInputs,
    balance_years,
    operation_balance,
    with_uniform_rent,
)
from espace.finance.errors import BalanceError

D = Decimal


def loan(principal: str, years: int, rate: str = "0") -> Terms:
    return Terms(
        principal=D(principal),
        periodicity=Periodicity.ANNUAL,
        duration_years=years,
        first_due=date(2027, 6, 30),
        profile=Profile.ECHEANCE_PRIORITAIRE,
        rate=FixedRate(D(rate)),
    )


def small_operation(**changes: object) -> OperationInputs:
    """2 dwellings of 50 m² at 10.00 €/m²/month; a 24,000 loan at 0 % over 2 years (12,000 in 2027 and 2028)."""
    base: dict[str, object] = {
        "first_year": 2027,
        "analysis_years": 3,
        "dwellings": (DwellingGroup(2, D("50"), D("10.00")),),
        "cost_price": D("60000"),
        "loans": (schedule(loan("24000", 2)),),
        "subsidies": D("10000"),
        "own_funds": D("20000"),
        "own_funds_return_rate": D("0.03"),
        "other_income": D("1200"),
        "vacancy_rate": D("0.02"),
        "unpaid_rate": D("0.01"),
        "management_per_dwelling": D("300"),
        "maintenance_per_dwelling": D("200"),
        "major_maintenance_per_dwelling": D("100"),
        "property_tax": D("1000"),
        "property_tax_exemption_years": 2,
        "rent_indexation": D("0.01"),
        "cost_indexation": D("0.02"),
    }
    base.update(changes)
    return OperationInputs(**base)  # type: ignore[arg-type]


def test_hand_checked_operation() -> None:
    """Year by year (t = 0, 1, 2):

    rents      100 m² × 10 × 12 = 12,000.00; × 1.01 = 12,120.00; × 1.0201 = 12,241.20
    other      1,200.00; 1,212.00; 1,224.12
    losses     3 % of rents: 360.00; 363.60; 367.236 → 367.24
    annuities  12,000.00; 12,000.00; 0.00
    costs      600 × 2 dwellings × 1.02^t + 20,000 × 3 %: 1,800.00; 1,824.00; 1,848.48
    tax        exempt 2 years, then 1,000 × 1.02² = 1,040.40
    net        −960.00; −855.60; 12,241.20 + 1,224.12 − 367.24 − 1,848.48 − 1,040.40 = 10,209.20
    cumulative −960.00; −1,815.60; 8,393.60 → payback in 2029
    """
    result = operation_balance(small_operation())
    assert [dataclasses.astuple(year) for year in result.years] == [
        (
            2027,
            D("12000.00"),
            D("1200.00"),
            D("360.00"),
            D("12000.00"),
            D("1800.00"),
            D("0.00"),
            D("-960.00"),
            D("-960.00"),
        ),
        (
            2028,
            D("12120.00"),
            D("1212.00"),
            D("363.60"),
            D("12000.00"),
            D("1824.00"),
            D("0.00"),
            D("-855.60"),
            D("-1815.60"),
        ),
        (
            2029,
            D("12241.20"),
            D("1224.12"),
            D("367.24"),
            D("0.00"),
            D("1848.48"),
            D("1040.40"),
            D("10209.20"),
            D("8393.60"),
        ),
    ]
    assert result.payback_year == 2029


def test_break_even_rent_hand_checked() -> None:
    """cumulative = a·rent + b:

    a = 100 m² × 12 × (1 + 1.01 + 1.0201) × (1 − 3 %) = 1,200 × 3.0301 × 0.97 = 3,527.0364
    b = other 3,636.12 − annuities 24,000 − costs 5,472.48 − tax 1,040.40 = −26,876.76
    rent = 26,876.76 / 3,527.0364 = 7.62021 → 7.62 €/m²/month.
    At 7.62: rents 9,144.00 + 9,235.44 + 9,327.79, losses 274.32 + 277.06 + 279.83 → cumulative −0.74;
    at 7.63 it is +34.53: 7.62 is the cent nearest to the exact 0.
    """
    operation = small_operation()
    result = operation_balance(operation)
    assert result.break_even_rent == D("7.62")
    assert balance_years(with_uniform_rent(operation, D("7.62")))[-1].cumulative == D("-0.74")
    assert balance_years(with_uniform_rent(operation, D("7.63")))[-1].cumulative == D("34.53")


@st.composite
def operations(draw: st.DrawFn) -> OperationInputs:
    cents = st.integers(0, 500_000).map(lambda value: D(value).scaleb(-2))
    fraction = st.integers(0, 1000).map(lambda value: D(value).scaleb(-4))
    groups = draw(
        st.lists(
            st.builds(
                DwellingGroup,
                st.integers(1, 40),
                st.integers(2000, 12000).map(lambda value: D(value).scaleb(-2)),
                st.integers(300, 1500).map(lambda value: D(value).scaleb(-2)),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return small_operation(
        analysis_years=draw(st.integers(1, 60)),
        dwellings=tuple(groups),
        loans=(schedule(loan(str(draw(st.integers(10_000, 5_000_000))), draw(st.integers(1, 50)), "0.03")),),
        other_income=draw(cents),
        vacancy_rate=draw(fraction),
        unpaid_rate=draw(fraction),
        management_per_dwelling=draw(cents),
        property_tax=draw(cents),
        property_tax_exemption_years=draw(st.integers(0, 30)),
        rent_indexation=draw(st.integers(-100, 300).map(lambda value: D(value).scaleb(-4))),
        cost_indexation=draw(st.integers(-100, 300).map(lambda value: D(value).scaleb(-4))),
    )


@pytest.mark.long
@given(operations())
def test_break_even_rent_brings_the_cumulative_balance_to_zero(operation: OperationInputs) -> None:
    """A cent less and the operation ends in deficit; a cent more and it ends in surplus.

    A break-even rent < 0 means the operation balances without rents (rents cannot be negative).
    """
    rent = operation_balance(operation).break_even_rent
    assert rent is not None

    def final(value: Decimal) -> Decimal:
        return balance_years(with_uniform_rent(operation, value))[-1].cumulative

    slope = sum(
        (operation.surface_total * 12 * (1 + operation.rent_indexation) ** t for t in range(operation.analysis_years)),
        D(0),
    )
    tolerance = slope * D("0.005") + operation.analysis_years * D("0.02")
    if rent < 0:
        # The other income covers every charge: the operation balances (or better) without any rent.
        assert final(D(0)) >= 0
        return
    assert final(rent + D("0.01")) > 0
    if rent > 0:
        assert final(rent - D("0.01")) < 0
    # At the rent itself the balance is 0 to within half a cent of rent over the whole let surface
    # (plus the rounding of each year's rents and losses).
    assert abs(final(rent)) <= tolerance


@pytest.mark.long
@given(operations())
def test_payback_year_is_where_the_cumulative_stays_non_negative(operation: OperationInputs) -> None:
    result = operation_balance(operation)
    cumulative = [year.cumulative for year in result.years]
    if result.payback_year is None:
        assert cumulative[-1] < 0
    else:
        start = result.payback_year - operation.first_year
        assert all(value >= 0 for value in cumulative[start:])
        assert start == 0 or cumulative[start - 1] < 0
    assert all(
        year.net_cash_flow
        == year.rents + year.other_income - year.losses - year.annuities - year.costs - year.property_tax
        for year in result.years
    )


def test_annuities_come_from_the_loans_yearly_charges() -> None:
    # Two loans: 24,000 at 0 % over 2 years and 100,000 at 3 % over 10 years (11,723.05 a year).
    operation = small_operation(loans=(schedule(loan("24000", 2)), schedule(loan("100000", 10, "0.03"))))
    years = operation_balance(operation).years
    assert [year.annuities for year in years] == [D("23723.05"), D("23723.05"), D("11723.05")]


def test_financing_plan_gap() -> None:
    plan = operation_balance(small_operation()).financing
    # 60,000 of cost price against 24,000 of loans + 10,000 of subsidies + 20,000 of own funds.
    assert (plan.loans, plan.total, plan.gap, plan.balanced) == (D("24000.00"), D("54000.00"), D("6000.00"), False)
    balanced = operation_balance(small_operation(cost_price=D("54000"))).financing
    assert balanced.gap == 0 and balanced.balanced


def test_no_break_even_rent_when_every_rent_is_lost() -> None:
    operation = small_operation(vacancy_rate=D("0.5"), unpaid_rate=D("0.5"))
    assert operation_balance(operation).break_even_rent is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"analysis_years": 0}, "analysis_years"),
        ({"analysis_years": 61}, "analysis_years"),
        ({"cost_price": D("0")}, "cost_price"),
        ({"vacancy_rate": D("1.5")}, "vacancy_rate"),
        ({"vacancy_rate": D("0.6"), "unpaid_rate": D("0.6")}, "unpaid_rate"),
        ({"subsidies": D("-1")}, "subsidies"),
        ({"dwellings": ()}, "dwellings"),
        ({"loans": (loan("1000", 2),)}, "loans"),
        ({"property_tax_exemption_years": -1}, "property_tax_exemption_years"),
        ({"rent_indexation": 0.01}, "rent_indexation"),
    ],
)
def test_inputs_are_checked(changes: dict[str, object], field: str) -> None:
    with pytest.raises(BalanceError) as error:
        small_operation(**changes)
    assert error.value.field == field


def test_dwelling_group_is_checked() -> None:
    with pytest.raises(BalanceError) as error:
        DwellingGroup(-1, D("50"), D("10"))
    assert error.value.field == "dwellings.count"
