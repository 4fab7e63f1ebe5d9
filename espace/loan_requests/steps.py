"""The steps of a request and what each still misses (the step indicator and the summary page).

A step is complete once its mandatory data are there (DOMAIN.md); the summary lists what is
missing with a link to the step. Sending requires every step complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from espace.core import clock
from espace.core.formats import euros
from espace.core.uploads import ScanStatus
from espace.finance import FinanceInputError, Periodicity, Schedule, schedule
from espace.finance.dates import add_months
from espace.finance.rates import RateHistory
from espace.loan_requests.enums import FileKind, RequestKind
from espace.loan_requests.models import DossierFile, LoanRequest, RequestLine, RequiredDocument
from espace.products.selectors import livret_a_history
from espace.products.terms import LoanRate, terms_for

HOUSING_STEPS = [
    ("operation", "Opération"),
    ("logements", "Logements"),
    ("plan", "Plan de financement"),
    ("lignes", "Lignes de prêt"),
    ("garanties", "Garanties"),
    ("commentaire", "Commentaire"),
    ("documents", "Documents"),
]
LOCAL_STEPS = [
    ("projet", "Projet"),
    ("financement", "Montant et caractéristiques"),
    ("documents", "Documents"),
]


def steps_of(request: LoanRequest) -> list[tuple[str, str]]:
    return HOUSING_STEPS if request.kind == RequestKind.HOUSING else LOCAL_STEPS


@dataclass
class StepState:
    slug: str
    label: str
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def required_documents(request: LoanRequest) -> list[RequiredDocument]:
    """The documents this request must carry, for its kind, its lines' products and its nature."""
    products = {line.product.code for line in request.lines.all()}
    documents = []
    for document in RequiredDocument.objects.filter(kind=request.kind, active=True):
        if document.products and not products & set(document.products):
            continue
        if document.natures and request.nature not in document.natures:
            continue
        documents.append(document)
    return documents


def required_files(request: LoanRequest) -> QuerySet[DossierFile]:
    return request.files.filter(kind=FileKind.REQUIRED).exclude(scan=ScanStatus.INFECTED)


def financing_balance(request: LoanRequest) -> tuple[Decimal, Decimal]:
    """(cost price, resources): the plan balances when they are equal."""
    cost = sum(
        (value or Decimal(0) for value in (request.land_cost, request.building_cost, request.fees_cost)), Decimal(0)
    )
    loans = sum((line.amount for line in request.lines.all()), Decimal(0))
    resources = loans + sum(
        (
            value or Decimal(0)
            for value in (
                request.subsidies_state,
                request.subsidies_local,
                request.subsidies_other,
                request.own_funds,
                request.other_loans,
            )
        ),
        Decimal(0),
    )
    return cost, resources


def _operation(request: LoanRequest) -> list[str]:
    missing = []
    for name, label in (
        ("name", "le nom de l'opération"),
        ("nature", "la nature de l'opération"),
        ("address", "l'adresse"),
        ("postal_code", "le code postal"),
        ("commune", "la commune"),
        ("insee_code", "le code INSEE"),
        ("zone", "la zone"),
    ):
        if not getattr(request, name):
            missing.append(label)
    return missing


def _plan(request: LoanRequest) -> list[str]:
    missing = [
        label
        for name, label in (
            ("land_cost", "la charge foncière"),
            ("building_cost", "le coût du bâtiment"),
            ("fees_cost", "les honoraires et frais"),
            ("own_funds", "les fonds propres (0 s'il n'y en a pas)"),
        )
        if getattr(request, name) is None
    ]
    if missing:
        return missing
    cost, resources = financing_balance(request)
    if cost != resources:
        return [f"un plan équilibré : le prix de revient est de {euros(cost)}, les financements de {euros(resources)}"]
    return []


def _lines(request: LoanRequest) -> list[str]:
    lines = list(request.lines.all())
    if not lines:
        return ["au moins une ligne de prêt"]
    history = livret_a_history()
    missing = []
    for index, line in enumerate(lines, start=1):
        try:
            line_schedules(line, history)
        except FinanceInputError:
            missing.append(f"des caractéristiques valides pour la ligne {index}")
    return missing


def _guarantees(request: LoanRequest) -> list[str]:
    if not request.lines.exists():
        return ["des lignes de prêt à garantir (étape « Lignes de prêt »)"]
    missing = []
    for index, line in enumerate(request.lines.all(), start=1):
        total = sum((guarantee.share_percent for guarantee in line.guarantees.all()), Decimal(0))
        if total != 100:
            missing.append(
                "des garanties à 100 % pour la ligne {n} {product} (aujourd'hui {total} %)".format(
                    n=index, product=line.product.name, total=f"{total.normalize():f}".replace(".", ",")
                )
            )
    return missing


def _documents(request: LoanRequest) -> list[str]:
    present = set(required_files(request).values_list("required_document_id", flat=True))
    return [document.label for document in required_documents(request) if document.pk not in present]


def _local_project(request: LoanRequest) -> list[str]:
    return [
        label
        for name, label in (("name", "le nom du projet"), ("description", "la description du projet"))
        if not getattr(request, name)
    ]


def _local_financing(request: LoanRequest) -> list[str]:
    missing = []
    if request.requested_amount is None:
        missing.append("le montant demandé")
    if request.requested_years is None:
        missing.append("la durée souhaitée")
    if request.lines.exists():
        missing += _lines(request)
        if request.lines.filter(guarantees__isnull=False).exists():  # optional; when given, 100 %
            missing += _guarantees(request)
    return missing


CHECKS = {
    "operation": _operation,
    "logements": lambda request: [] if request.dwellings.exists() else ["au moins une ligne de logements"],
    "plan": _plan,
    "lignes": _lines,
    "garanties": _guarantees,
    "commentaire": lambda request: [],
    "documents": _documents,
    "projet": _local_project,
    "financement": _local_financing,
}


def steps_state(request: LoanRequest) -> list[StepState]:
    return [StepState(slug, str(label), CHECKS[slug](request)) for slug, label in steps_of(request)]


def is_complete(request: LoanRequest) -> bool:
    return all(state.complete for state in steps_state(request))


# Simulated schedules of a request line (what the borrower would repay under today's Livret A).


def simulated_first_due(line: RequestLine, *, today: date | None = None) -> date:
    """First instalment if the contract were signed next month: after the pre-financing, one period later."""
    today = today or clock.today()
    start = add_months(date(today.year, today.month, 1), 1)
    return add_months(start, (line.prefinancing_months or 0) + Periodicity(line.periodicity).months)


def line_schedules(line: RequestLine, history: RateHistory) -> list[tuple[str, Schedule]]:
    """The building part's schedule, and the land part's over its own duration when there is one."""
    first_due = simulated_first_due(line)
    rate = LoanRate.of_product(line.product, revision=line.revision)
    return [
        (
            part.label,
            schedule(
                terms_for(
                    rate=rate,
                    history=history,
                    principal=part.principal,
                    duration_years=part.duration_years,
                    first_due=first_due,
                    profile=line.profile,
                    periodicity=line.periodicity,
                    progression=line.progression,
                    prefinancing_months=line.prefinancing_months,
                    prefinancing_mode=line.prefinancing_mode,
                )
            ),
        )
        for part in line.parts
    ]


@dataclass(frozen=True)
class SchedulePart:
    """One part of a line as the pages show it: its label, schedule and first instalment."""

    label: str
    schedule: Schedule
    first: Decimal  # the first instalment after pre-financing


@dataclass(frozen=True)
class LineSchedules:
    """A request line with its parts' simulated schedules (empty when the line can't be computed)."""

    line: RequestLine
    parts: list[SchedulePart]


def schedule_parts(line: RequestLine, history: RateHistory) -> list[SchedulePart]:
    """For the pages: each part's label, schedule and first instalment (after pre-financing)."""
    parts = []
    for label, computed in line_schedules(line, history):
        first = next((row.instalment for row in computed.rows if row.number >= 1), Decimal(0))
        parts.append(SchedulePart(label, computed, first))
    return parts
