"""The tools' computations, on the finance engine, with the lender's products and Livret A.

Nothing here writes but `simulation_save`/`simulation_delete`: a simulation is recomputed from
its inputs each time, with the rates of the day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from espace.accounts.models import User
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.establishments.models import Establishment
from espace.finance import (
    Acquisition,
    DwellingGroup,
    FinanceInputError,
    LandShare,
    OperationBalance,
    OperationInputs,
    Periodicity,
    Profile,
    RateHistory,
    Revision,
    Row,
    Schedule,
    Terms,
    YearTotals,
    Zone,
    land_share_flat,
    land_share_from_costs,
    operation_balance,
    schedule,
)
from espace.finance.schedule import round_cent
from espace.products.models import Product
from espace.products.scenarios import livret_a_scenarios
from espace.products.selectors import livret_a_today
from espace.products.terms import LoanRate, terms_for
from espace.simulators.enums import AuditAction, SimulationKind
from espace.simulators.models import Simulation

HUNDRED = Decimal(100)


class SimulationInputError(ApplicationError):
    """Inputs the form accepted but the engine refuses: shown on a field."""


@dataclass(frozen=True)
class ScenarioResult:
    key: str
    label: str
    schedule: Schedule
    yearly: dict[int, Decimal]

    @property
    def total_interest(self) -> Decimal:
        return self.schedule.total_interest

    @property
    def total_instalments(self) -> Decimal:
        return self.schedule.total_instalments


@dataclass(frozen=True)
class ComparisonYear:
    """One year of the Livret A scenarios table: the year's instalments under each scenario."""

    year: int
    amounts: list[Decimal]
    labels: list[str]

    @property
    def cells(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.labels, self.amounts, strict=True))


@dataclass(frozen=True)
class YearGroup:
    """The schedule's rows of one year, under that year's totals."""

    totals: YearTotals
    rows: list[Row]


@dataclass(frozen=True)
class LoanResult:
    product: Product
    schedule: Schedule
    scenarios: list[ScenarioResult]
    livret_a_rate: Decimal
    livret_a_since: date
    comparison: list[ComparisonYear] = field(default_factory=list)

    @property
    def years(self) -> list[YearTotals]:
        return list(self.schedule.by_year())

    @property
    def year_groups(self) -> list[YearGroup]:
        """The rows grouped by year with the year's totals (the schedule shown year by year)."""
        rows_by_year: dict[int, list[Row]] = {}
        for row in self.schedule.rows:
            rows_by_year.setdefault(row.due_date.year, []).append(row)
        return [YearGroup(totals, rows_by_year[totals.year]) for totals in self.schedule.by_year()]

    def chart_data(self) -> dict[str, Any]:
        years = self.years
        return {
            "years": [y.year for y in years],
            "capital": [str(y.capital) for y in years],
            "interest": [str(y.interest) for y in years],
            "outstanding": [str(y.outstanding_end) for y in years],
            "scenarios": [
                {"label": s.label, "values": [str(s.yearly.get(y.year, Decimal(0))) for y in years]}
                for s in self.scenarios
            ],
        }


def _terms(
    *,
    product: Product,
    history: RateHistory,
    principal: Decimal,
    years: int,
    first_due: date,
    profile: str,
    periodicity: str,
    progression_percent: Decimal = Decimal(0),
    revision: str = Revision.SIMPLE,
) -> Terms:
    """The engine's terms of the tool's loan; what the engine refuses is shown on the form's field."""
    try:
        return terms_for(
            rate=LoanRate.of_product(product, revision=revision),
            history=history,
            principal=principal,
            duration_years=years,
            first_due=first_due,
            profile=profile,
            periodicity=periodicity,
            progression=progression_percent / HUNDRED if profile == Profile.ECHEANCE_PRIORITAIRE else Decimal(0),
        )
    except FinanceInputError as error:
        raise SimulationInputError(
            f"Ces conditions ne permettent pas de calculer un échéancier ({error.message}).",
            field={"principal": "amount", "duration_years": "duration_years", "progression": "progression"}.get(
                error.field, "first_due"
            ),
        ) from error


def loan_simulate(data: dict[str, Any], history: RateHistory) -> LoanResult:
    """The schedule at today's Livret A, and the yearly charge under each Livret A scenario."""
    product: Product = data["product_obj"]
    base: dict[str, Any] = {
        "product": product,
        "principal": data["amount"],
        "years": data["duration_years"],
        "first_due": data["first_due"],
        "profile": data["profile"],
        "periodicity": data["periodicity"],
        "progression_percent": data.get("progression") or Decimal(0),
        "revision": data.get("revision") or Revision.SIMPLE,
    }
    today = livret_a_today(history)
    options = (
        livret_a_scenarios(
            history,
            today_rate=today.index_rate,
            shift_from=data.get("shift_from"),
            path_percent=data.get("index_path") or [],
        )
        if product.is_indexed
        else livret_a_scenarios(history, today_rate=today.index_rate, shift_from=None)
    )
    scenarios = []
    for option in options:
        result = schedule(_terms(history=option.history, **base))
        scenarios.append(ScenarioResult(option.key, option.label, result, _yearly(result)))
    stable = scenarios[0].schedule
    years = sorted({year for s in scenarios for year in s.yearly})
    labels = [s.label for s in scenarios]
    comparison = [ComparisonYear(year, [s.yearly.get(year, Decimal(0)) for s in scenarios], labels) for year in years]
    return LoanResult(
        product=product,
        schedule=stable,
        scenarios=scenarios,
        livret_a_rate=today.index_rate,
        livret_a_since=today.since,
        comparison=comparison,
    )


def _yearly(result: Schedule) -> dict[int, Decimal]:
    return {year.year: year.instalments for year in result.by_year()}


@dataclass(frozen=True)
class CombinedYear:
    """One year of the land-share split: the building loan's and the land loan's instalments."""

    year: int
    building: Decimal
    land: Decimal

    @property
    def total(self) -> Decimal:
        return self.building + self.land


@dataclass(frozen=True)
class LandShareResult:
    product: Product
    share: LandShare
    cost_price: Decimal
    loan_amount: Decimal
    land_amount: Decimal
    building_amount: Decimal
    building: Schedule | None
    land: Schedule | None

    @property
    def combined(self) -> list[CombinedYear]:
        building = {y.year: y.instalments for y in self.building.by_year()} if self.building else {}
        land = {y.year: y.instalments for y in self.land.by_year()} if self.land else {}
        return [
            CombinedYear(year, building.get(year, Decimal(0)), land.get(year, Decimal(0)))
            for year in sorted(set(building) | set(land))
        ]

    def chart_data(self) -> dict[str, Any]:
        rows = self.combined
        return {
            "years": [row.year for row in rows],
            "series": [
                {"label": "Prêt construction", "values": [str(row.building) for row in rows]},
                {"label": "Prêt foncier", "values": [str(row.land) for row in rows]},
            ],
        }


def land_share_simulate(data: dict[str, Any], history: RateHistory) -> LandShareResult:
    """The land share of the operation, and the loan split into a building and a land loan.

    Land loan = loan amount × land share; building loan = the rest. Both at today's Livret A,
    « échéance prioritaire », annual instalments, simple revision.
    """
    product: Product = data["product_obj"]
    try:
        if data["mode"] == "flat":
            share = land_share_flat(data["cost_price"], Zone(data["zone"]), Acquisition(data["acquisition"]))
        else:
            share = land_share_from_costs(data["cost_price"], data["land_cost"], data.get("subsidies") or Decimal(0))
    except FinanceInputError as error:
        raise SimulationInputError(
            f"Le calcul de la part foncière est impossible ({error.message}).",
            field="land_cost" if data["mode"] == "costs" else "cost_price",
        ) from error
    loan_amount: Decimal = data["loan_amount"]
    land_amount = round_cent(loan_amount * share.fraction)
    building_amount = loan_amount - land_amount
    common: dict[str, Any] = {
        "product": product,
        "history": history,
        "first_due": data["first_due"],
        "profile": Profile.ECHEANCE_PRIORITAIRE,
        "periodicity": Periodicity.ANNUAL,
    }
    building = (
        schedule(_terms(principal=building_amount, years=data["building_years"], **common)) if building_amount else None
    )
    land = schedule(_terms(principal=land_amount, years=data["land_years"], **common)) if land_amount else None
    return LandShareResult(
        product=product,
        share=share,
        cost_price=data["cost_price"],
        loan_amount=loan_amount,
        land_amount=land_amount,
        building_amount=building_amount,
        building=building,
        land=land,
    )


@transaction.atomic
def simulation_save(
    *,
    establishment: Establishment,
    author: User,
    kind: SimulationKind,
    name: str,
    params: dict[str, Any],
) -> Simulation:
    """Keep a simulation's inputs for the establishment (its users can reopen it)."""
    simulation = Simulation(
        establishment=establishment, author=author, kind=kind, name=name.strip()[:120], params=params
    )
    simulation.full_clean()
    simulation.save()
    audit_record(
        action=AuditAction.SIMULATION_SAVED,
        actor=author,
        target=simulation,
        establishment=establishment,
        details={"kind": kind.value},
    )
    return simulation


@transaction.atomic
def simulation_delete(*, simulation: Simulation, by: User) -> None:
    audit_record(
        action=AuditAction.SIMULATION_DELETED,
        actor=by,
        target=simulation,
        establishment=simulation.establishment,
        details={"name": simulation.name},
    )
    simulation.delete()


@dataclass(frozen=True)
class BalanceResult:
    balance: OperationBalance
    inputs: OperationInputs
    loans: list[tuple[Product, Schedule]]

    @property
    def final_cumulative(self) -> Decimal:
        return self.balance.years[-1].cumulative

    @property
    def financing_surplus(self) -> Decimal:
        return -self.balance.financing.gap

    def chart_data(self) -> dict[str, Any]:
        return {
            "years": [year.year for year in self.balance.years],
            "cumulative": [str(year.cumulative) for year in self.balance.years],
            "net": [str(year.net_cash_flow) for year in self.balance.years],
        }


def balance_simulate(data: dict[str, Any], history: RateHistory) -> BalanceResult:
    """The operation's yearly cash flows; its loans at today's Livret A (échéance prioritaire,
    annual instalments from 1 January of the second year, simple revision)."""
    first_due = date(data["first_year"] + 1, 1, 1)
    loans = [
        (
            product,
            schedule(
                _terms(
                    product=product,
                    history=history,
                    principal=amount,
                    years=years,
                    first_due=first_due,
                    profile=product.profiles[0],
                    periodicity=Periodicity.ANNUAL,
                )
            ),
        )
        for product, amount, years in data["loans"]
    ]

    def fraction(name: str) -> Decimal:
        return Decimal(data.get(name) or 0) / HUNDRED

    def amount(name: str) -> Decimal:
        return Decimal(data.get(name) or 0)

    try:
        inputs = OperationInputs(
            first_year=data["first_year"],
            analysis_years=data["analysis_years"],
            dwellings=tuple(DwellingGroup(count, surface, rent) for count, surface, rent in data["dwellings"]),
            cost_price=data["cost_price"],
            loans=tuple(result for _product, result in loans),
            subsidies=amount("subsidies"),
            own_funds=amount("own_funds"),
            own_funds_return_rate=fraction("own_funds_return"),
            other_income=amount("other_income"),
            vacancy_rate=fraction("vacancy"),
            unpaid_rate=fraction("unpaid"),
            management_per_dwelling=amount("management"),
            maintenance_per_dwelling=amount("maintenance"),
            major_maintenance_per_dwelling=amount("major_maintenance"),
            property_tax=amount("property_tax"),
            property_tax_exemption_years=data.get("property_tax_exemption_years") or 0,
            rent_indexation=fraction("rent_indexation"),
            cost_indexation=fraction("cost_indexation"),
        )
    except FinanceInputError as error:
        raise SimulationInputError(f"Le calcul est impossible ({error.message}).", field=None) from error
    return BalanceResult(balance=operation_balance(inputs), inputs=inputs, loans=loans)
