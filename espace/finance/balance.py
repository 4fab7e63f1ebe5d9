"""Operation balance (« simulation d'équilibre d'opération »): do the rents of an operation cover its charges?

Year t = 0 … analysis_years − 1 (calendar year first_year + t); every line is rounded to the cent, half-up:

- rents = Σ count × surface × rent per m² per month × 12 × (1 + rent indexation)^t;
- other income (parking…) = yearly other income × (1 + rent indexation)^t;
- losses = (vacancy rate + unpaid-rent rate) × rents (before rounding);
- annuities = the loans' instalments due that calendar year (`Schedule.by_year()`, pre-financing included);
- costs = (management + current maintenance + major maintenance, per dwelling per year) × dwellings
  × (1 + cost indexation)^t + own funds × their yearly return rate (a cost, not indexed);
- property tax = 0 during the exemption years, then yearly property tax × (1 + cost indexation)^t;
- net cash flow = rents + other income − losses − annuities − costs − property tax; cumulative = running sum.

Payback year: the first year from which the cumulative balance is ≥ 0 until the end (None if it ends < 0).
Break-even rent: the single rent per m² per month, for every dwelling, at which the cumulative balance at
the end of the period is 0. The balance is linear in that rent — cumulative = a·rent + b with
a = Σₜ surface × 12 × (1 + rent indexation)^t × (1 − vacancy − unpaid) and b the cumulative balance at a
zero rent — so rent = −b / a, rounded to the cent (it may be ≤ 0 if the other income covers everything).
Financing plan: loans (their principals) + subsidies + own funds against the cost price; the gap is
cost price − that total (> 0: financing missing; < 0: more than the cost).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from .errors import BalanceError
from .schedule import CENT, ENGINE_CONTEXT, ZERO, Schedule

ONE = Decimal(1)
MONTHS = Decimal(12)
MAX_ANALYSIS_YEARS = 60


@dataclass(frozen=True, slots=True)
class DwellingGroup:
    """`count` dwellings of `surface_m2` each, let at `rent_per_m2_month` (€ per m² per month)."""

    count: int
    surface_m2: Decimal
    rent_per_m2_month: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 0:
            raise BalanceError("dwellings.count", f"must be a whole number ≥ 0, got {self.count!r}")
        _check_decimal(self.surface_m2, "dwellings.surface_m2", low=ZERO)
        _check_decimal(self.rent_per_m2_month, "dwellings.rent_per_m2_month", low=ZERO)

    @property
    def surface_total(self) -> Decimal:
        """count × surface."""
        return self.count * self.surface_m2


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationInputs:
    """An operation to balance. Amounts in euros (Decimal), rates as fractions (0.02 for 2 %)."""

    first_year: int
    analysis_years: int
    dwellings: tuple[DwellingGroup, ...]
    cost_price: Decimal
    loans: tuple[Schedule, ...] = ()
    subsidies: Decimal = ZERO
    own_funds: Decimal = ZERO
    own_funds_return_rate: Decimal = ZERO
    other_income: Decimal = ZERO
    vacancy_rate: Decimal = ZERO
    unpaid_rate: Decimal = ZERO
    management_per_dwelling: Decimal = ZERO
    maintenance_per_dwelling: Decimal = ZERO
    major_maintenance_per_dwelling: Decimal = ZERO
    property_tax: Decimal = ZERO
    property_tax_exemption_years: int = 0
    rent_indexation: Decimal = ZERO
    cost_indexation: Decimal = ZERO

    def __post_init__(self) -> None:
        if not _is_int(self.first_year) or not 1900 <= self.first_year <= 2200:
            raise BalanceError("first_year", f"must be a year from 1900 to 2200, got {self.first_year!r}")
        if not _is_int(self.analysis_years) or not 1 <= self.analysis_years <= MAX_ANALYSIS_YEARS:
            raise BalanceError("analysis_years", f"must be from 1 to 60 years, got {self.analysis_years!r}")
        if not self.dwellings or not all(isinstance(group, DwellingGroup) for group in self.dwellings):
            raise BalanceError("dwellings", "at least one DwellingGroup")
        if not all(isinstance(loan, Schedule) for loan in self.loans):
            raise BalanceError("loans", "each loan is a Schedule")
        _check_decimal(self.cost_price, "cost_price", low=ZERO, strictly=True)
        for name in (
            "subsidies",
            "own_funds",
            "other_income",
            "management_per_dwelling",
            "maintenance_per_dwelling",
            "major_maintenance_per_dwelling",
            "property_tax",
        ):
            _check_decimal(getattr(self, name), name, low=ZERO)
        for name in ("own_funds_return_rate", "vacancy_rate", "unpaid_rate"):
            _check_decimal(getattr(self, name), name, low=ZERO, high=ONE)
        if self.vacancy_rate + self.unpaid_rate > ONE:
            raise BalanceError("unpaid_rate", "vacancy and unpaid rents together cannot exceed 100 % of the rents")
        for name in ("rent_indexation", "cost_indexation"):
            _check_decimal(getattr(self, name), name, low=-ONE, high=ONE)
        if not _is_int(self.property_tax_exemption_years) or self.property_tax_exemption_years < 0:
            raise BalanceError("property_tax_exemption_years", "must be a whole number of years ≥ 0")

    @property
    def dwelling_count(self) -> int:
        """Number of dwellings."""
        return sum(group.count for group in self.dwellings)

    @property
    def surface_total(self) -> Decimal:
        """Let surface, m²."""
        return sum((group.surface_total for group in self.dwellings), ZERO)


@dataclass(frozen=True, slots=True)
class BalanceYear:
    """One year of the operation's cash flows."""

    year: int
    rents: Decimal
    other_income: Decimal
    losses: Decimal
    annuities: Decimal
    costs: Decimal
    property_tax: Decimal
    net_cash_flow: Decimal
    cumulative: Decimal


@dataclass(frozen=True, slots=True)
class FinancingPlan:
    """Resources against the cost price; gap = cost price − (loans + subsidies + own funds)."""

    cost_price: Decimal
    loans: Decimal
    subsidies: Decimal
    own_funds: Decimal
    total: Decimal
    gap: Decimal

    @property
    def balanced(self) -> bool:
        """Whether the resources equal the cost price exactly."""
        return self.gap == ZERO


@dataclass(frozen=True, slots=True)
class OperationBalance:
    """The yearly cash flows, the payback year, the break-even rent and the financing plan."""

    years: tuple[BalanceYear, ...]
    payback_year: int | None
    break_even_rent: Decimal | None
    financing: FinancingPlan


def operation_balance(inputs: OperationInputs) -> OperationBalance:
    """Yearly cash flows, payback year, break-even rent and financing plan (rules in the module docstring)."""
    with localcontext(ENGINE_CONTEXT):
        years = balance_years(inputs)
        return OperationBalance(years, payback_year(years), break_even_rent(inputs), financing_plan(inputs))


def balance_years(inputs: OperationInputs) -> tuple[BalanceYear, ...]:
    """One BalanceYear per analysis year, each line rounded to the cent."""
    with localcontext(ENGINE_CONTEXT):
        annuities = loan_charges_by_year(inputs.loans)
        monthly_rent = sum((group.surface_total * group.rent_per_m2_month for group in inputs.dwellings), ZERO)
        loss_rate = inputs.vacancy_rate + inputs.unpaid_rate
        per_dwelling = (
            inputs.management_per_dwelling + inputs.maintenance_per_dwelling + inputs.major_maintenance_per_dwelling
        )
        own_funds_cost = inputs.own_funds * inputs.own_funds_return_rate
        cumulative = ZERO
        result = []
        for t in range(inputs.analysis_years):
            year = inputs.first_year + t
            rent_factor = (ONE + inputs.rent_indexation) ** t
            cost_factor = (ONE + inputs.cost_indexation) ** t
            raw_rents = monthly_rent * MONTHS * rent_factor
            rents = _cent(raw_rents)
            other = _cent(inputs.other_income * rent_factor)
            losses = _cent(raw_rents * loss_rate)
            charges = annuities.get(year, ZERO)
            costs = _cent(per_dwelling * inputs.dwelling_count * cost_factor + own_funds_cost)
            tax = ZERO if t < inputs.property_tax_exemption_years else _cent(inputs.property_tax * cost_factor)
            net = rents + other - losses - charges - costs - tax
            cumulative += net
            result.append(BalanceYear(year, rents, other, losses, charges, costs, tax, net, cumulative))
        return tuple(result)


def loan_charges_by_year(loans: tuple[Schedule, ...]) -> dict[int, Decimal]:
    """Σ of the loans' instalments by calendar year of their due date."""
    charges: defaultdict[int, Decimal] = defaultdict(lambda: ZERO)
    for loan in loans:
        for year in loan.by_year():
            charges[year.year] += year.instalments
    return dict(charges)


def payback_year(years: tuple[BalanceYear, ...]) -> int | None:
    """First year from which the cumulative balance stays ≥ 0 to the end of the period; None if it ends < 0."""
    result: int | None = None
    for year in years:
        if year.cumulative < ZERO:
            result = None
        elif result is None:
            result = year.year
    return result


def break_even_rent(inputs: OperationInputs) -> Decimal | None:
    """Rent per m² per month (every dwelling) giving a cumulative balance of 0 at the end: −b / a, to the cent.

    a = Σₜ surface × 12 × (1 + rent indexation)^t × (1 − vacancy − unpaid); b = cumulative balance at
    a zero rent. None when a = 0 (no surface, or every rent lost).
    """
    with localcontext(ENGINE_CONTEXT):
        slope = sum(
            (inputs.surface_total * MONTHS * (ONE + inputs.rent_indexation) ** t for t in range(inputs.analysis_years)),
            ZERO,
        ) * (ONE - inputs.vacancy_rate - inputs.unpaid_rate)
        if not slope:
            return None
        at_zero_rent = balance_years(with_uniform_rent(inputs, ZERO))[-1].cumulative
        return _cent(-at_zero_rent / slope)


def with_uniform_rent(inputs: OperationInputs, rent_per_m2_month: Decimal) -> OperationInputs:
    """The same operation with every dwelling let at `rent_per_m2_month`."""
    groups = tuple(dataclasses.replace(group, rent_per_m2_month=rent_per_m2_month) for group in inputs.dwellings)
    return dataclasses.replace(inputs, dwellings=groups)


def financing_plan(inputs: OperationInputs) -> FinancingPlan:
    """Loans (principals) + subsidies + own funds against the cost price; gap = cost price − total."""
    loans = sum((loan.terms.principal for loan in inputs.loans), ZERO)
    total = loans + inputs.subsidies + inputs.own_funds
    return FinancingPlan(inputs.cost_price, loans, inputs.subsidies, inputs.own_funds, total, inputs.cost_price - total)


def _cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_decimal(
    value: object, name: str, *, low: Decimal, high: Decimal | None = None, strictly: bool = False
) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise BalanceError(name, "must be a finite Decimal")
    if value < low or (strictly and value == low):
        raise BalanceError(name, f"must be {'greater than' if strictly else 'at least'} {low}, got {value}")
    if high is not None and value > high:
        raise BalanceError(name, f"must be at most {high}, got {value}")
