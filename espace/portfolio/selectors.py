"""Reads of the « Encours » screens. Every list and dashboard runs a fixed number of queries,
whatever the number of lines: sums and groupings happen in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from espace.core import clock
from espace.core.formats import percent_points
from espace.establishments.models import Establishment
from espace.portfolio.enums import DisbursementStatus, GuarantorKind, LineStatus
from espace.portfolio.models import (
    DisbursementChangeRequest,
    FinancingLine,
    Guarantee,
    GuaranteedDebtStatement,
    ImportRun,
    PlannedDisbursement,
    PortfolioSummary,
    ScheduleRow,
)

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=15, decimal_places=2))
HUNDRED = Decimal(100)


def _sum(field: str) -> Coalesce:
    return Coalesce(Sum(field), ZERO)


def direct_lines(establishment: Establishment) -> QuerySet[FinancingLine]:
    """The establishment's own loans (direct debt): tenant isolation starts here."""
    return FinancingLine.objects.filter(borrower=establishment)


def guaranteed_lines(establishment: Establishment) -> QuerySet[FinancingLine]:
    """The lines the establishment guarantees (guaranteed debt) — never the borrowers' other loans."""
    return FinancingLine.objects.filter(guarantees__guarantor=establishment).distinct()


def line_for(establishment: Establishment, public_id: Any) -> tuple[FinancingLine, bool] | None:
    """A line the establishment may open: its own (True) or one it guarantees (False); else None."""
    line = (
        FinancingLine.objects.select_related("contract__borrower", "product")
        .filter(Q(borrower=establishment) | Q(guarantees__guarantor=establishment), public_id=public_id)
        .distinct()
        .first()
    )
    if line is None:
        return None
    return line, line.borrower_id == establishment.pk


@dataclass(frozen=True)
class Dashboard:
    total_outstanding: Decimal
    principal: Decimal
    lines: int
    contracts: int
    next_12_months: Decimal
    by_product: list[dict[str, Any]]
    by_maturity: list[dict[str, Any]]
    projection: list[dict[str, Any]]
    figures_on: date | None
    guarantors: list[tuple[str, str]]


def dashboard_compute(establishment: Establishment, *, today: date) -> Dashboard:
    """Direct debt: totals, breakdowns, next 12 months' instalments, outstanding at the end of each
    coming year. Sums every line and row of the establishment: the import stores the result
    (PortfolioSummary) and the dashboard reads that."""
    lines = direct_lines(establishment)
    totals = lines.aggregate(
        outstanding=_sum("outstanding"),
        principal=_sum("principal"),
        lines=Count("pk"),
        contracts=Count("contract", distinct=True),
        figures_on=Max("figures_on"),
    )
    rows = ScheduleRow.objects.filter(line__borrower=establishment)
    next_12 = rows.filter(due_date__gt=today, due_date__lte=today + timedelta(days=365)).aggregate(
        total=_sum("instalment")
    )["total"]
    by_product = list(
        lines.exclude(status=LineStatus.REPAID)
        .values("product__name")
        .annotate(outstanding=_sum("outstanding"), count=Count("pk"))
        .order_by("-outstanding", "product__name")
    )
    by_maturity = list(
        lines.exclude(status=LineStatus.REPAID)
        .annotate(year=ExtractYear("maturity_date"))
        .values("year")
        .annotate(outstanding=_sum("outstanding"), count=Count("pk"))
        .order_by("year")
    )
    repaid_by_year = dict(
        rows.filter(due_date__gt=today)
        .annotate(year=ExtractYear("due_date"))
        .values("year")
        .annotate(capital=_sum("capital"))
        .values_list("year", "capital")
    )
    projection = []
    remaining = totals["outstanding"]
    for year in range(today.year, max(repaid_by_year, default=today.year) + 1):
        remaining -= repaid_by_year.get(year, Decimal(0))
        projection.append({"year": year, "outstanding": max(remaining, Decimal(0))})
    return Dashboard(
        total_outstanding=totals["outstanding"],
        principal=totals["principal"],
        lines=totals["lines"],
        contracts=totals["contracts"],
        next_12_months=next_12,
        by_product=by_product,
        by_maturity=by_maturity,
        projection=projection,
        figures_on=totals["figures_on"],
        guarantors=guarantor_choices(establishment),
    )


def _decimals(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return [{**item, **{key: Decimal(item[key]) for key in keys}} for item in items]


def dashboard_for(establishment: Establishment) -> Dashboard:
    """The summary stored by the last import (one query); computed now when there is none yet."""
    summary = PortfolioSummary.objects.filter(establishment=establishment).first()
    if summary is None:
        return dashboard_compute(establishment, today=clock.today())
    return Dashboard(
        total_outstanding=summary.outstanding,
        principal=summary.principal,
        lines=summary.lines,
        contracts=summary.contracts,
        next_12_months=summary.next_12_months,
        by_product=_decimals(summary.by_product, "outstanding"),
        by_maturity=_decimals(summary.by_maturity, "outstanding"),
        projection=_decimals(summary.projection, "outstanding"),
        figures_on=summary.figures_on,
        guarantors=[(key, name) for key, name in summary.guarantors],
    )


SORTS = {
    "numero": ("number",),
    "produit": ("product__order", "number"),
    "encours": ("-outstanding", "number"),
    "echeance": ("maturity_date", "number"),
}


def lines_filtered(
    establishment: Establishment,
    *,
    product: str = "",
    status: str = "",
    guarantor: str = "",
    maturity_year: int | None = None,
    number: str = "",
    sort: str = "numero",
) -> QuerySet[FinancingLine]:
    """The loans list: filters, sort (a page's guarantors: `with_guarantor_labels`)."""
    lines = direct_lines(establishment).select_related("contract", "product")
    if product:
        lines = lines.filter(product__code=product)
    if status:
        lines = lines.filter(status=status)
    if guarantor == "cglls":
        lines = lines.filter(guarantees__kind=GuarantorKind.CGLLS)
    elif guarantor:
        lines = lines.filter(guarantees__guarantor__public_id=guarantor)
    if maturity_year:
        lines = lines.filter(maturity_date__year=maturity_year)
    if number:
        lines = lines.filter(Q(number__icontains=number) | Q(contract__number__icontains=number))
    lines = lines.distinct() if guarantor else lines
    return lines.order_by(*SORTS.get(sort, SORTS["numero"]))


def with_guarantor_labels(lines: Iterable[FinancingLine]) -> list[FinancingLine]:
    """A page of lines, each with `guarantor_labels` (« Commune de X (50,00 %) », largest share
    first): one flat query for the page, no model instance per guarantee."""
    page = list(lines)
    labels: dict[int, list[str]] = {line.pk: [] for line in page}
    rows = (
        Guarantee.objects.filter(line__in=labels)
        .order_by("line", "-share_percent", "pk")
        .values_list("line_id", "guarantor__legal_name", "share_percent")
    )
    for line_id, name, share in rows:
        labels[line_id].append(f"{name or 'CGLLS'} ({percent_points(share)})")
    for line in page:
        line.guarantor_labels = labels[line.pk]  # type: ignore[attr-defined]
    return page


def lines_totals(lines: QuerySet[FinancingLine], *, unfiltered: Dashboard | None = None) -> dict[str, Any]:
    """Count and sums of a filtered list; of the whole list, the stored summary's when given."""
    if unfiltered is not None:
        return {
            "count": unfiltered.lines,
            "principal": unfiltered.principal,
            "outstanding": unfiltered.total_outstanding,
        }
    return lines.order_by().aggregate(
        count=Count("pk", distinct=True), principal=_sum("principal"), outstanding=_sum("outstanding")
    )


def guarantor_choices(establishment: Establishment) -> list[tuple[str, str]]:
    """Who guarantees the establishment's loans (the list's filter; stored in the summary)."""
    guarantors = (
        Guarantee.objects.filter(line__borrower=establishment, kind=GuarantorKind.ESTABLISHMENT)
        .values_list("guarantor__public_id", "guarantor__legal_name")
        .distinct()
        .order_by("guarantor__legal_name")
    )
    choices = [(str(public_id), name) for public_id, name in guarantors]
    if Guarantee.objects.filter(line__borrower=establishment, kind=GuarantorKind.CGLLS).exists():
        choices.append(("cglls", "CGLLS"))
    return choices


def line_detail(line: FinancingLine) -> dict[str, Any]:
    return {
        "rows": list(line.rows.all()),
        "guarantees": list(line.guarantees.select_related("guarantor")),
        "disbursements": list(line.disbursements.all()),
        "pending_change": line.change_requests.filter(status="pending").first(),
    }


@dataclass(frozen=True)
class GuaranteedLine:
    line: FinancingLine
    share: Decimal  # percent
    guaranteed_outstanding: Decimal
    guaranteed_annuity: Decimal  # instalments of the current year × share


def guaranteed_debt(establishment: Establishment, *, year: int) -> list[dict[str, Any]]:
    """Each line the establishment guarantees, grouped by borrower, with its guaranteed share of the
    outstanding and of the year's instalments (DOMAIN.md: share × figures)."""
    guarantees = (
        Guarantee.objects.filter(guarantor=establishment)
        .select_related("line__contract__borrower", "line__product")
        .annotate(
            year_instalments=Coalesce(Sum("line__rows__instalment", filter=Q(line__rows__due_date__year=year)), ZERO)
        )
        .order_by("line__contract__borrower__legal_name", "line__number")
    )
    groups: dict[int, dict[str, Any]] = {}
    for guarantee in guarantees:
        line = guarantee.line
        share = guarantee.share_percent
        item = GuaranteedLine(
            line=line,
            share=share,
            guaranteed_outstanding=(line.outstanding * share / HUNDRED).quantize(Decimal("0.01")),
            guaranteed_annuity=(guarantee.year_instalments * share / HUNDRED).quantize(Decimal("0.01")),
        )
        group = groups.setdefault(
            line.contract.borrower_id,
            {"borrower": line.contract.borrower, "lines": [], "outstanding": Decimal(0), "annuity": Decimal(0)},
        )
        group["lines"].append(item)
        group["outstanding"] += item.guaranteed_outstanding
        group["annuity"] += item.guaranteed_annuity
    return list(groups.values())


@dataclass(frozen=True)
class StatementLine:
    borrower: str
    line_number: str
    product: str
    share: Decimal
    outstanding_start: Decimal  # guaranteed, at 1 January
    capital: Decimal  # guaranteed capital due during the year
    interest: Decimal  # guaranteed interest due during the year


def annual_statement_lines(establishment: Establishment, year: int) -> list[StatementLine]:
    """« État annuel de la dette garantie »: per guaranteed line, the guaranteed outstanding at
    1 January and the guaranteed capital and interest due during the year (one query)."""
    start = date(year, 1, 1)
    last_before = ScheduleRow.objects.filter(line=OuterRef("line"), due_date__lt=start).order_by("-due_date", "-number")
    guarantees = (
        Guarantee.objects.filter(guarantor=establishment, line__contract__signed_on__lt=date(year + 1, 1, 1))
        .select_related("line__contract__borrower", "line__product")
        .annotate(
            capital_year=Coalesce(Sum("line__rows__capital", filter=Q(line__rows__due_date__year=year)), ZERO),
            interest_year=Coalesce(Sum("line__rows__interest", filter=Q(line__rows__due_date__year=year)), ZERO),
            outstanding_before=Subquery(last_before.values("outstanding_after")[:1]),
        )
        .order_by("line__contract__borrower__legal_name", "line__number")
    )
    result = []
    for guarantee in guarantees:
        line = guarantee.line
        share = guarantee.share_percent / HUNDRED
        if guarantee.outstanding_before is not None:
            start_outstanding = guarantee.outstanding_before
        else:  # nothing due yet: the principal is owed once the contract is signed
            start_outstanding = line.principal if line.contract.signed_on < start else Decimal(0)
        result.append(
            StatementLine(
                borrower=line.contract.borrower.legal_name,
                line_number=line.number,
                product=line.product.name,
                share=guarantee.share_percent,
                outstanding_start=(start_outstanding * share).quantize(Decimal("0.01")),
                capital=(guarantee.capital_year * share).quantize(Decimal("0.01")),
                interest=(guarantee.interest_year * share).quantize(Decimal("0.01")),
            )
        )
    return result


def statements_of(establishment: Establishment) -> QuerySet[GuaranteedDebtStatement]:
    return GuaranteedDebtStatement.objects.filter(guarantor=establishment).select_related("requested_by")


def disbursement_lines(establishment: Establishment) -> QuerySet[FinancingLine]:
    """Lines in pre-financing with a disbursement plan (« Pilotage des échéanciers de versement »)."""
    pending = DisbursementChangeRequest.objects.filter(line=OuterRef("pk"), status="pending")
    return (
        direct_lines(establishment)
        .filter(disbursements__isnull=False)
        .distinct()
        .select_related("contract", "product")
        .annotate(
            drawn=Coalesce(
                Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementStatus.DRAWN)), ZERO
            ),
            planned=Coalesce(
                Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementStatus.PLANNED)), ZERO
            ),
            has_pending=Exists(pending),
        )
        .order_by("first_due", "number")
    )


def planned_disbursements(line: FinancingLine) -> QuerySet[PlannedDisbursement]:
    return line.disbursements.order_by("planned_on", "pk")


def latest_import() -> ImportRun | None:
    return ImportRun.objects.first()


@dataclass(frozen=True)
class GuaranteedSummary:
    lines: int
    guaranteed_outstanding: Decimal  # share × outstanding of each line, as of the import
    figures_on: date | None
    by_year: list[dict[str, Any]]  # [{"year": 2027, "guaranteed_outstanding": Decimal}, …] at 31 December


def guaranteed_summary(establishment: Establishment, *, today: date) -> GuaranteedSummary:
    """Guaranteed debt: the guaranteed outstanding now and at the end of each coming year
    (DOMAIN.md: share × figures), in three grouped queries whatever the number of lines."""
    guarantees = Guarantee.objects.filter(guarantor=establishment)
    now_by_share = (
        guarantees.values("share_percent")
        .annotate(outstanding=_sum("line__outstanding"), figures_on=Max("line__figures_on"))
        .order_by()
    )
    total = Decimal(0)
    figures_on: date | None = None
    for group in now_by_share:
        total += group["outstanding"] * group["share_percent"] / HUNDRED
        if group["figures_on"] and (figures_on is None or group["figures_on"] > figures_on):
            figures_on = group["figures_on"]
    lines = guarantees.order_by().values("line").distinct().count()
    repaid = (
        guarantees.filter(line__rows__due_date__gt=today)
        .annotate(year=ExtractYear("line__rows__due_date"))
        .values("year", "share_percent")
        .annotate(capital=_sum("line__rows__capital"))
        .order_by()
    )
    repaid_by_year: dict[int, Decimal] = {}
    for group in repaid:
        repaid_by_year[group["year"]] = (
            repaid_by_year.get(group["year"], Decimal(0)) + group["capital"] * group["share_percent"] / HUNDRED
        )
    cents = Decimal("0.01")
    remaining = total
    by_year = []
    for year in range(today.year, max(repaid_by_year, default=today.year) + 1):
        remaining -= repaid_by_year.get(year, Decimal(0))
        by_year.append({"year": year, "guaranteed_outstanding": max(remaining, Decimal(0)).quantize(cents)})
    return GuaranteedSummary(
        lines=lines, guaranteed_outstanding=total.quantize(cents), figures_on=figures_on, by_year=by_year
    )
