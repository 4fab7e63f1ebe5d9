"""The registry of the tools: what each simulator is, so one set of views serves the three.

A tool is its address, its form, the products it offers and its defaults, the computation on
the finance engine, its page and its downloads. `views.py` reads nothing else; a new tool is
one more `Tool` here (and its templates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django import forms

from espace.core import clock
from espace.finance import RateHistory
from espace.products.models import Product
from espace.products.selectors import livret_a_next_revision, published_products
from espace.simulators import exports
from espace.simulators.enums import SimulationKind
from espace.simulators.forms import DWELLING_TYPES, BalanceForm, LandShareForm, LoanSimulationForm, default_first_due
from espace.simulators.services import LoanResult, balance_simulate, land_share_simulate, loan_simulate


class ToolForm(Protocol):
    """A tool's form class: bound to the query string or built with its defaults, given the products it offers."""

    base_fields: dict[str, forms.Field]

    def __call__(
        self, data: Any = None, *, initial: dict[str, Any] | None = None, products: list[Product]
    ) -> forms.Form: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Tool:
    """One simulator: the views are the same for all, everything that differs is here."""

    kind: SimulationKind  # what a saved simulation records, and the save address's slug
    url_name: str  # « loan »: the page is simulators:loan, its downloads simulators:loan_export
    path: str  # the page's address; downloads at <path>export.xlsx and export.pdf
    form_class: ToolForm
    products: Callable[[], list[Product]]
    initial: Callable[[Product | None], dict[str, Any]]  # the defaults, from the pre-selected product
    # Query keys that mean the form was sent, beyond its declared fields (fields made in __init__).
    sent_prefixes: tuple[str, ...] = ()
    compute: Callable[[dict[str, Any], RateHistory], Any]
    template: str
    save_name: Callable[[dict[str, Any], Any], str]  # the name a saved simulation is offered
    extra_context: Callable[[], dict[str, Any]] = dict
    incomplete_message: str  # a download asked for before the inputs are valid
    filename: Callable[[Any], str]  # without extension, dated today
    inputs: Callable[[dict[str, Any]], Sequence[exports.InputRow]]  # the inputs as the downloads list them
    xlsx: Callable[[Any, Sequence[exports.InputRow]], bytes]
    pdf_template: str

    @property
    def page_url_name(self) -> str:
        return f"simulators:{self.url_name}"


def _loan_initial(chosen: Product | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"first_due": default_first_due(), "shift_from": livret_a_next_revision()}
    if chosen is not None:
        initial.update(
            product=chosen.code,
            duration_years=chosen.max_years,
            profile=chosen.profiles[0],
            periodicity=chosen.periodicities[0],
            revision=chosen.revisions[0] if chosen.revisions else "",
        )
    return initial


def _loan_name(data: dict[str, Any], result: LoanResult) -> str:
    return f"{result.product.name} {data['amount']:,.0f} € sur {data['duration_years']} ans".replace(",", " ")


def _land_share_initial(chosen: Product | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"first_due": default_first_due(), "mode": "costs"}
    if chosen is not None:
        initial.update(product=chosen.code, building_years=chosen.max_years, land_years=chosen.land_max_years)
    return initial


BALANCE_EXAMPLE = {
    "dw2_count": 10,
    "dw2_surface": Decimal(48),
    "dw2_rent": Decimal("6.50"),
    "dw3_count": 12,
    "dw3_surface": Decimal(66),
    "dw3_rent": Decimal("6.20"),
    "dw4_count": 6,
    "dw4_surface": Decimal(82),
    "dw4_rent": Decimal("6.00"),
}


def _balance_initial(_chosen: Product | None) -> dict[str, Any]:
    return {
        "first_year": clock.today().year + 2,
        "analysis_years": 40,
        "vacancy": Decimal(2),
        "unpaid": Decimal(1),
        "management": Decimal(450),
        "maintenance": Decimal(150),
        "major_maintenance": Decimal(250),
        "property_tax_exemption_years": 25,
        "rent_indexation": Decimal("1.5"),
        "cost_indexation": Decimal(2),
        **BALANCE_EXAMPLE,
    }


def _with_land_part() -> list[Product]:
    return [product for product in published_products() if product.has_land_part]


def _today() -> str:
    return f"{clock.today():%Y%m%d}"


LOAN = Tool(
    kind=SimulationKind.LOAN,
    url_name="loan",
    path="outils/simulateur/",
    form_class=LoanSimulationForm,
    products=lambda: list(published_products()),
    initial=_loan_initial,
    compute=loan_simulate,
    template="simulators/loan.html",
    save_name=_loan_name,
    incomplete_message="Complétez la simulation avant de la télécharger.",
    filename=lambda result: f"simulation-{result.product.code}-{_today()}",
    inputs=exports.loan_inputs,
    xlsx=exports.loan_xlsx,
    pdf_template="simulators/loan_pdf.html",
)
LAND_SHARE = Tool(
    kind=SimulationKind.LAND_SHARE,
    url_name="land_share",
    path="outils/part-fonciere/",
    form_class=LandShareForm,
    products=_with_land_part,
    initial=_land_share_initial,
    compute=land_share_simulate,
    template="simulators/land_share.html",
    save_name=lambda _data, result: f"Part foncière {result.product.name}",
    incomplete_message="Complétez le calcul avant de le télécharger.",
    filename=lambda result: f"part-fonciere-{result.product.code}-{_today()}",
    inputs=exports.land_share_inputs,
    xlsx=exports.land_share_xlsx,
    pdf_template="simulators/land_share_pdf.html",
)
BALANCE = Tool(
    kind=SimulationKind.BALANCE,
    url_name="balance",
    path="outils/equilibre-operation/",
    form_class=BalanceForm,
    products=lambda: list(published_products()),
    initial=_balance_initial,
    sent_prefixes=("dw", "loan"),
    compute=balance_simulate,
    template="simulators/balance.html",
    save_name=lambda _data, _result: "Équilibre d'opération",
    extra_context=lambda: {"dwelling_types": DWELLING_TYPES},
    incomplete_message="Complétez la simulation avant de la télécharger.",
    filename=lambda _result: f"equilibre-operation-{_today()}",
    inputs=exports.balance_inputs,
    xlsx=exports.balance_xlsx,
    pdf_template="simulators/balance_pdf.html",
)

TOOLS: dict[SimulationKind, Tool] = {tool.kind: tool for tool in (LOAN, LAND_SHARE, BALANCE)}
