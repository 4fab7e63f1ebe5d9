"""Reads of the « Encours » screens. Every list and dashboard runs a fixed number of queries,
whatever the number of lines: sums and groupings happen in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear

from espace.core import clock
from espace.core.formats import euros, percent, percent_points
from espace.core.readmodels import RowUrl
from espace.establishments.models import Establishment
from espace.finance.schedule import round_cent
from espace.portfolio.enums import DisbursementStatus, GuarantorKind, LineStatus
from espace.portfolio.models import (
    DisbursementChangeRequest,
    FinancingLine,
    Guarantee,
    GuaranteedDebtStatement,
    GuarantorSummary,
    ImportRun,
    PlannedDisbursement,
    PortfolioSummary,
    ScheduleRow,
)
from espace.portfolio.projections import Projection
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS, RateIndex

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


def line_for(establishment: Establishment, public_id: UUID) -> tuple[FinancingLine, bool] | None:
    """A line the establishment may open: its own (True) or one it guarantees (False); else None."""
    lines = FinancingLine.objects.select_related("contract__borrower", "product").filter(public_id=public_id)
    # Two plain lookups on the unique public id rather than one DISTINCT over an OR across the
    # guarantees' join: the establishment's own loan first (the usual case), then one it guarantees.
    own = lines.filter(borrower=establishment).first()
    if own is not None:
        return own, True
    guaranteed = lines.filter(guarantees__guarantor=establishment).first()
    return (guaranteed, False) if guaranteed is not None else None


@dataclass(frozen=True, slots=True)
class ProductOutstanding:
    product_name: str
    count: int
    outstanding: Decimal


@dataclass(frozen=True, slots=True)
class MaturityOutstanding:
    year: int  # of the last instalment
    count: int
    outstanding: Decimal


@dataclass(frozen=True, slots=True)
class YearOutstanding:
    year: int
    outstanding: Decimal  # at 31 December


@dataclass(frozen=True)
class Dashboard:
    total_outstanding: Decimal
    principal: Decimal
    lines: int
    contracts: int
    next_12_months: Decimal
    by_product: tuple[ProductOutstanding, ...]
    by_maturity: tuple[MaturityOutstanding, ...]
    projection: tuple[YearOutstanding, ...]
    figures_on: date | None
    guarantors: list[tuple[str, str]]

    def chart(self) -> dict[str, list[int] | list[str]]:
        """The outstanding chart's data (amounts as strings, as json_script writes them)."""
        return {
            "years": [point.year for point in self.projection],
            "outstanding": [str(point.outstanding) for point in self.projection],
        }


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
    by_product = tuple(
        ProductOutstanding(product_name=name, count=count, outstanding=outstanding)
        for name, outstanding, count in lines.exclude(status=LineStatus.REPAID)
        .values("product__name")
        .annotate(outstanding=_sum("outstanding"), count=Count("pk"))
        .order_by("-outstanding", "product__name")
        .values_list("product__name", "outstanding", "count")
    )
    by_maturity = tuple(
        MaturityOutstanding(year=year, count=count, outstanding=outstanding)
        for year, outstanding, count in lines.exclude(status=LineStatus.REPAID)
        .annotate(year=ExtractYear("maturity_date"))
        .values("year")
        .annotate(outstanding=_sum("outstanding"), count=Count("pk"))
        .order_by("year")
        .values_list("year", "outstanding", "count")
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
        projection.append(YearOutstanding(year=year, outstanding=max(remaining, Decimal(0))))
    return Dashboard(
        total_outstanding=totals["outstanding"],
        principal=totals["principal"],
        lines=totals["lines"],
        contracts=totals["contracts"],
        next_12_months=next_12,
        by_product=by_product,
        by_maturity=by_maturity,
        projection=tuple(projection),
        figures_on=totals["figures_on"],
        guarantors=guarantor_choices(establishment),
    )


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
        # The JSON lists as `summaries.summary_refresh` writes them (amounts as decimal strings).
        by_product=tuple(
            ProductOutstanding(
                product_name=item["product__name"], count=item["count"], outstanding=Decimal(item["outstanding"])
            )
            for item in summary.by_product
        ),
        by_maturity=tuple(
            MaturityOutstanding(year=item["year"], count=item["count"], outstanding=Decimal(item["outstanding"]))
            for item in summary.by_maturity
        ),
        projection=tuple(
            YearOutstanding(year=item["year"], outstanding=Decimal(item["outstanding"])) for item in summary.projection
        ),
        figures_on=summary.figures_on,
        guarantors=[(key, name) for key, name in summary.guarantors],
    )


SORTS = {
    "numero": ("number",),
    "produit": ("product__order", "number"),
    "encours": ("-outstanding", "number"),
    "echeance": ("maturity_date", "number"),
}


@dataclass(frozen=True, slots=True)
class LoanFilters:
    """What the loans list (and its exports) is narrowed to and sorted by; empty: every loan."""

    number: str = ""  # part of a line's or a contract's number
    product: str = ""  # product code
    status: str = ""
    guarantor: str = ""  # a guarantor establishment's public id, or "cglls"
    maturity_year: int | None = None
    sort: str = "numero"  # a key of SORTS

    @property
    def narrows(self) -> bool:
        """True when some loans are left out (the sort alone leaves the whole list)."""
        return bool(self.number or self.product or self.status or self.guarantor or self.maturity_year)


def lines_filtered(establishment: Establishment, filters: LoanFilters = LoanFilters()) -> QuerySet[FinancingLine]:
    """The loans list: filters, sort (a page's rows: `loans_page`)."""
    lines = direct_lines(establishment).select_related("contract", "product")
    if filters.product:
        lines = lines.filter(product__code=filters.product)
    if filters.status:
        lines = lines.filter(status=filters.status)
    if filters.guarantor == "cglls":
        lines = lines.filter(guarantees__kind=GuarantorKind.CGLLS)
    elif filters.guarantor:
        lines = lines.filter(guarantees__guarantor__public_id=filters.guarantor)
    if filters.maturity_year:
        lines = lines.filter(maturity_date__year=filters.maturity_year)
    if filters.number:
        lines = lines.filter(Q(number__icontains=filters.number) | Q(contract__number__icontains=filters.number))
    lines = lines.distinct() if filters.guarantor else lines
    return lines.order_by(*SORTS.get(filters.sort, SORTS["numero"]))


@dataclass(frozen=True, slots=True)
class LinesTotals:
    count: int
    principal: Decimal
    outstanding: Decimal


def lines_totals(lines: QuerySet[FinancingLine], *, unfiltered: Dashboard | None = None) -> LinesTotals:
    """Count and sums of a filtered list; of the whole list, the stored summary's when given."""
    if unfiltered is not None:
        return LinesTotals(
            count=unfiltered.lines, principal=unfiltered.principal, outstanding=unfiltered.total_outstanding
        )
    totals = lines.order_by().aggregate(
        count=Count("pk", distinct=True), principal=_sum("principal"), outstanding=_sum("outstanding")
    )
    return LinesTotals(count=totals["count"], principal=totals["principal"], outstanding=totals["outstanding"])


@dataclass(frozen=True, slots=True)
class LoanRow:
    """One row of the loans list: the ten columns it shows, and its guarantors with their shares."""

    public_id: UUID
    number: str
    contract_number: str
    product_name: str
    principal: Decimal
    outstanding: Decimal
    next_due_date: date | None
    next_instalment: Decimal | None
    maturity_date: date
    status: str
    guarantor_labels: list[str]  # « Commune de X (50,00 %) », largest share first
    # The cells as the list prints them (no tag or filter per cell; docs/benchmarks.md)
    url: str
    status_label: str
    principal_text: str
    outstanding_text: str
    next_due_text: str  # « 01/03/2027 : 12 345,67 € », or « — »
    maturity_text: str
    guarantors_text: str


# What the loans list reads: a line has about forty columns, a page reads ten of them.
LIST_COLUMNS = (
    *("public_id", "number", "contract__number", "product__name", "principal", "outstanding"),
    *("next_due_date", "next_instalment", "maturity_date", "status"),
)


class _CountedPaginator(Paginator):
    """A paginator told the list's count (from the sums the page shows anyway) instead of running
    one more COUNT(*) over the filtered lines."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _guarantor_labels(line_ids: Sequence[int]) -> dict[int, list[str]]:
    """« Commune de X (50,00 %) » per guarantee of these lines, largest share first: one flat
    query for a page, no model instance per guarantee."""
    labels: dict[int, list[str]] = {line_id: [] for line_id in line_ids}
    rows = (
        Guarantee.objects.filter(line__in=line_ids)
        .order_by("line", "-share_percent", "pk")
        .values_list("line_id", "guarantor__legal_name", "share_percent")
    )
    for line_id, name, share in rows:
        labels[line_id].append(f"{name or 'CGLLS'} ({percent_points(share)})")
    return labels


@dataclass(frozen=True)
class LoansPage:
    page: Page[LoanRow]
    totals: LinesTotals


LOANS_PER_PAGE = 50


def loans_page(
    establishment: Establishment,
    *,
    filters: LoanFilters,
    summary: Dashboard,
    page_number: str | int | None,
    per_page: int = LOANS_PER_PAGE,
) -> LoansPage:
    """One page of the loans list and the sums of the whole (filtered) list.

    The whole list's count and sums come from the import's summary: unfiltered, the page costs
    the same at 100 and at 20,000 lines (one query for the rows, one for their guarantors)."""
    lines = lines_filtered(establishment, filters)
    totals = lines_totals(lines, unfiltered=None if filters.narrows else summary)
    paginator = _CountedPaginator(lines.values_list("pk", *LIST_COLUMNS, named=True), per_page, count=totals.count)
    page = paginator.get_page(page_number)
    values = list(page.object_list)
    labels = _guarantor_labels([value.pk for value in values])
    url = RowUrl("portfolio:line")
    status_labels = {str(value): str(label) for value, label in LineStatus.choices}
    rows = [
        LoanRow(
            public_id=value.public_id,
            number=value.number,
            contract_number=value.contract__number,
            product_name=value.product__name,
            principal=value.principal,
            outstanding=value.outstanding,
            next_due_date=value.next_due_date,
            next_instalment=value.next_instalment,
            maturity_date=value.maturity_date,
            status=value.status,
            guarantor_labels=labels[value.pk],
            url=url(value.public_id),
            status_label=status_labels.get(value.status, value.status),
            principal_text=euros(value.principal),
            outstanding_text=euros(value.outstanding),
            next_due_text=(
                f"{value.next_due_date:%d/%m/%Y} : {euros(value.next_instalment)}" if value.next_due_date else "—"
            ),
            maturity_text=f"{value.maturity_date:%d/%m/%Y}" if value.maturity_date else "—",
            guarantors_text=", ".join(labels[value.pk]) or "—",
        )
        for value in values
    ]
    return LoansPage(page=Page(rows, page.number, paginator), totals=totals)


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


@dataclass(frozen=True, slots=True)
class LineLabels:
    profile: str
    periodicity: str
    revision: str


@dataclass(frozen=True, slots=True)
class ScheduleCells:
    """One instalment of the loan page's schedule, its cells already written (no filter per cell)."""

    number: int
    due_date: str
    rate: str
    instalment: str
    interest: str
    capital: str
    outstanding_after: str
    state: str  # paid, next or coming


@dataclass(frozen=True)
class LinePage:
    """The loan page: the line, its schedule (with the next instalment), guarantees and disbursements."""

    line: FinancingLine
    own: bool  # the establishment's own loan (False: one it guarantees)
    rows: list[ScheduleRow]
    guarantees: list[Guarantee]
    disbursements: list[PlannedDisbursement]
    pending_change: DisbursementChangeRequest | None
    next_row: ScheduleRow | None  # the next instalment due after the figures' date
    labels: LineLabels
    indexed: bool  # on the Livret A and not repaid: the page projects its coming instalments
    schedule: list[ScheduleCells]  # the rows as the page's table prints them

    def chart(self, projection: Projection | None = None) -> dict[str, object]:
        """The chart's data: outstanding at the end of each year, and the projection's scenarios."""
        by_year: dict[int, Decimal] = {}
        for row in self.rows:
            by_year[row.due_date.year] = row.outstanding_after
        chart: dict[str, object] = {
            "years": sorted({row.due_date.year for row in self.rows}),
            "outstanding": [str(by_year[year]) for year in sorted(by_year)],
        }
        if projection is not None:
            chart |= {"scenarios": projection.chart_data()["scenarios"], "scenario_years": projection.years}
        return chart


def line_page(establishment: Establishment, public_id: UUID, *, today: date) -> LinePage | None:
    """A line the establishment may open (its own, or one it guarantees), else None."""
    found = line_for(establishment, public_id)
    if found is None:
        return None
    line, own = found
    rows = list(line.rows.all())
    disbursements = list(line.disbursements.all())
    after = line.figures_on or today
    next_row = next((row for row in rows if row.due_date > after and row.instalment > 0), None)
    return LinePage(
        line=line,
        own=own,
        rows=rows,
        # What the page and its documents panel print of a guarantee: not its guarantor's 40 columns.
        guarantees=list(
            line.guarantees.select_related("guarantor").only(
                "line_id",
                "kind",
                "share_percent",
                "deliberation_reference",
                "deliberation_date",
                "guarantor__public_id",
                "guarantor__legal_name",
            )
        ),
        disbursements=disbursements,
        # A change is asked of a plan, and shown with it: a line without one has nothing to ask.
        pending_change=line.change_requests.filter(status="pending").first() if disbursements else None,
        next_row=next_row,
        schedule=[
            ScheduleCells(
                number=row.number,
                due_date=f"{row.due_date:%d/%m/%Y}",
                rate=percent(row.rate),
                instalment=euros(row.instalment),
                interest=euros(row.interest),
                capital=euros(row.capital),
                outstanding_after=euros(row.outstanding_after),
                state="paid" if row.paid else ("next" if row is next_row else "coming"),
            )
            for row in rows
        ],
        labels=LineLabels(
            profile=PROFILE_LABELS.get(line.profile, line.profile),
            periodicity=PERIODICITY_LABELS.get(line.periodicity, line.periodicity),
            revision=REVISION_LABELS.get(line.revision, line.revision),
        ),
        indexed=line.rate_index == RateIndex.LIVRET_A and line.status != LineStatus.REPAID,
    )


@dataclass(frozen=True, slots=True)
class BorrowerGuaranteed:
    """What the establishment guarantees of one borrower's lines (shares of outstanding and annuities)."""

    borrower_id: int
    public_id: str
    name: str
    lines: int
    outstanding: Decimal
    annuity: Decimal  # the guaranteed share of the year's instalments
    first: int = 0  # the position of the borrower's first line in the page order


@dataclass(frozen=True)
class GuaranteedTotals:
    """The guaranteed debt summed: in all and by borrower (by name)."""

    year: int
    lines: int
    outstanding: Decimal
    annuity: Decimal
    borrowers: tuple[BorrowerGuaranteed, ...]
    positioned: bool = False  # read from the summary: the guarantees' positions were written with it

    def borrower(self, public_id: str) -> BorrowerGuaranteed | None:
        return next((item for item in self.borrowers if item.public_id == public_id), None)


# The guaranteed-debt page's order: by borrower name, then line number.
GUARANTEED_ORDER = ("line__borrower__legal_name", "line__borrower_id", "line__number", "pk")


def guarantees_in_order(establishment: Establishment) -> list[tuple[int, int | None]]:
    """Each guarantee of the establishment in the page's order, with its stored position."""
    return list(
        Guarantee.objects.filter(guarantor=establishment).order_by(*GUARANTEED_ORDER).values_list("pk", "position")
    )


def _guaranteed_share(amount: Decimal, share_percent: Decimal) -> Decimal:
    """DOMAIN.md: the guaranteed part is share × figure, each line's rounded to the cent."""
    return round_cent(amount * share_percent / HUNDRED)


def _year_instalments(line_ids: Iterable[int] | QuerySet[Any], year: int) -> dict[int, Decimal]:
    """The instalments due in the year of each line: one grouped query on the rows' due-date index."""
    rows = (
        ScheduleRow.objects.filter(
            line_id__in=line_ids, due_date__gte=date(year, 1, 1), due_date__lte=date(year, 12, 31)
        )
        .values("line_id")
        .annotate(total=Sum("instalment"))
        .order_by()
        .values_list("line_id", "total")
    )
    return dict(rows)


def guaranteed_totals_compute(establishment: Establishment, *, year: int) -> GuaranteedTotals:
    """The sums of the guaranteed-debt page, from every line the establishment guarantees (two flat
    queries; written once per import by `summaries.guarantor_summary_refresh`)."""
    guarantees = Guarantee.objects.filter(guarantor=establishment)
    values = guarantees.order_by(*GUARANTEED_ORDER).values_list(
        "line_id",
        "line__borrower_id",
        "line__borrower__public_id",
        "line__borrower__legal_name",
        "line__outstanding",
        "share_percent",
    )
    year_sums = _year_instalments(guarantees.values("line_id"), year)
    borrowers: dict[int, BorrowerGuaranteed] = {}
    for position, (line_id, borrower_id, public_id, name, outstanding, share) in enumerate(values):
        outstanding_share = _guaranteed_share(outstanding, share)
        annuity_share = _guaranteed_share(year_sums.get(line_id, Decimal(0)), share)
        known = borrowers.get(borrower_id)
        borrowers[borrower_id] = BorrowerGuaranteed(
            borrower_id=borrower_id,
            public_id=str(public_id),
            name=name,
            lines=(known.lines if known else 0) + 1,
            outstanding=(known.outstanding if known else Decimal(0)) + outstanding_share,
            annuity=(known.annuity if known else Decimal(0)) + annuity_share,
            first=known.first if known else position,
        )
    items = tuple(borrowers.values())
    return GuaranteedTotals(
        year=year,
        lines=sum(item.lines for item in items),
        outstanding=sum((item.outstanding for item in items), Decimal(0)),
        annuity=sum((item.annuity for item in items), Decimal(0)),
        borrowers=items,
    )


def guaranteed_totals(establishment: Establishment, *, year: int) -> GuaranteedTotals:
    """The sums stored by the last import (one query); computed now when there are none for the year."""
    summary = GuarantorSummary.objects.filter(establishment=establishment, year=year).first()
    if summary is None:
        return guaranteed_totals_compute(establishment, year=year)
    borrowers = []
    first = 0
    # The JSON list as `summaries.guarantor_summary_refresh` writes it (amounts as decimal strings).
    for item in summary.borrowers:
        borrowers.append(
            BorrowerGuaranteed(
                borrower_id=item["id"],
                public_id=item["public_id"],
                name=item["name"],
                lines=item["lines"],
                outstanding=Decimal(item["outstanding"]),
                annuity=Decimal(item["annuity"]),
                first=first,
            )
        )
        first += item["lines"]
    return GuaranteedTotals(
        year=summary.year,
        lines=summary.lines,
        outstanding=summary.outstanding,
        annuity=summary.annuity,
        borrowers=tuple(borrowers),
        positioned=True,
    )


@dataclass(frozen=True, slots=True)
class GuaranteedRow:
    """One guaranteed line of the page, its cells already written (no filter per cell)."""

    url: str
    number: str
    product: str
    share: str
    outstanding: str
    guaranteed_outstanding: str
    guaranteed_annuity: str


@dataclass(frozen=True)
class GuaranteedGroup:
    """The page's lines of one borrower, under the borrower's sums (of all its lines)."""

    borrower: BorrowerGuaranteed
    rows: list[GuaranteedRow]
    continued: bool  # the borrower's first lines are on an earlier page


@dataclass(frozen=True)
class GuaranteedPage:
    totals: GuaranteedTotals
    chosen: BorrowerGuaranteed | None  # the borrower the page is narrowed to
    page: Page[GuaranteedRow]
    groups: list[GuaranteedGroup]


GUARANTEED_PER_PAGE = 50
GUARANTEED_COLUMNS = (
    *("line_id", "line__public_id", "line__number", "line__product__name", "line__outstanding"),
    *("share_percent", "line__borrower_id"),
)


class _PositionWindow:
    """The guarantees from `first` in page order, sliced by their stored positions: a page is an
    index range on (guarantor, position), not an OFFSET over a sort of every guaranteed line."""

    def __init__(self, guarantees: QuerySet[Guarantee], first: int, count: int) -> None:
        self._guarantees, self._first, self._count = guarantees, first, count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = self._first + (window.start or 0), self._first + min(window.stop or self._count, self._count)
        return list(
            self._guarantees.filter(position__gte=start, position__lt=stop)
            .order_by("position")
            .values_list(*GUARANTEED_COLUMNS, named=True)
        )


def guaranteed_page(
    establishment: Establishment,
    *,
    totals: GuaranteedTotals,
    borrower: str = "",
    page_number: str | int | None = None,
    per_page: int = GUARANTEED_PER_PAGE,
) -> GuaranteedPage:
    """One page of the lines the establishment guarantees, by borrower then line, under `totals`
    (`guaranteed_totals`): two queries whatever the number of lines (the page, its annuities)."""
    chosen = totals.borrower(borrower) if borrower else None
    count = chosen.lines if chosen else totals.lines
    first = chosen.first if chosen else 0
    guarantees = Guarantee.objects.filter(guarantor=establishment)
    if totals.positioned:
        lines: Any = _PositionWindow(guarantees, first, count)
    else:  # no summary yet (before the first import of the year): the same order, sorted now
        if chosen is not None:
            guarantees = guarantees.filter(line__borrower_id=chosen.borrower_id)
        lines = guarantees.order_by(*GUARANTEED_ORDER).values_list(*GUARANTEED_COLUMNS, named=True)
    paginator = _CountedPaginator(lines, per_page, count=count)
    page = paginator.get_page(page_number)
    items = list(page.object_list)
    year_sums = _year_instalments([item.line_id for item in items], totals.year) if items else {}
    by_id = {item.borrower_id: item for item in totals.borrowers}
    page_start = first + (page.number - 1) * per_page
    url = RowUrl("portfolio:line")
    groups: list[GuaranteedGroup] = []
    for item in items:
        if not groups or groups[-1].borrower.borrower_id != item.line__borrower_id:
            # a line written after the summary (its borrower not in it yet) still shows
            known = by_id.get(item.line__borrower_id) or BorrowerGuaranteed(
                item.line__borrower_id, "", "", 0, Decimal(0), Decimal(0), page_start
            )
            groups.append(GuaranteedGroup(borrower=known, rows=[], continued=not groups and known.first < page_start))
        groups[-1].rows.append(
            GuaranteedRow(
                url=url(item.line__public_id),
                number=item.line__number,
                product=item.line__product__name,
                share=percent_points(item.share_percent),
                outstanding=euros(item.line__outstanding),
                guaranteed_outstanding=euros(_guaranteed_share(item.line__outstanding, item.share_percent)),
                guaranteed_annuity=euros(
                    _guaranteed_share(year_sums.get(item.line_id, Decimal(0)), item.share_percent)
                ),
            )
        )
    rows = [row for group in groups for row in group.rows]
    return GuaranteedPage(totals=totals, chosen=chosen, page=Page(rows, page.number, paginator), groups=groups)


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
        share = guarantee.share_percent
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
                outstanding_start=_guaranteed_share(start_outstanding, share),
                capital=_guaranteed_share(guarantee.capital_year, share),
                interest=_guaranteed_share(guarantee.interest_year, share),
            )
        )
    return result


def statements_of(establishment: Establishment) -> QuerySet[GuaranteedDebtStatement]:
    return GuaranteedDebtStatement.objects.filter(guarantor=establishment).select_related("requested_by")


@dataclass(frozen=True, slots=True)
class DisbursementRow:
    """One line of « Pilotage des échéanciers de versement », its cells already written."""

    number: str
    drawn: Decimal
    planned: Decimal
    url: str
    change_url: str  # where to ask for a change; empty when one is pending or nothing is left to move
    has_pending: bool
    product: str
    principal_text: str
    drawn_text: str
    planned_text: str
    first_due_text: str


def disbursement_rows(establishment: Establishment) -> list[DisbursementRow]:
    """Lines in pre-financing with a disbursement plan, with what was drawn and what is planned:
    one query (the columns the page shows, sums and the pending request in the database)."""
    pending = DisbursementChangeRequest.objects.filter(line=OuterRef("pk"), status="pending")
    values = (
        direct_lines(establishment)
        .filter(disbursements__isnull=False)
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
        .values_list(
            *("public_id", "number", "product__name", "principal", "first_due", "status"),
            *("drawn", "planned", "has_pending"),
            named=True,
        )
    )
    line_url, change_url = RowUrl("portfolio:line"), RowUrl("portfolio:disbursement_change")
    return [
        DisbursementRow(
            number=value.number,
            drawn=value.drawn,
            planned=value.planned,
            url=line_url(value.public_id),
            change_url=(
                change_url(value.public_id)
                if not value.has_pending and value.status == LineStatus.PREFINANCING and value.planned
                else ""
            ),
            has_pending=value.has_pending,
            product=value.product__name,
            principal_text=euros(value.principal),
            drawn_text=euros(value.drawn),
            planned_text=euros(value.planned),
            first_due_text=f"{value.first_due:%d/%m/%Y}",
        )
        for value in values
    ]


def planned_disbursements(line: FinancingLine) -> QuerySet[PlannedDisbursement]:
    return line.disbursements.order_by("planned_on", "pk")


def latest_import() -> ImportRun | None:
    return ImportRun.objects.first()


@dataclass(frozen=True, slots=True)
class YearGuaranteed:
    year: int
    guaranteed_outstanding: Decimal  # at 31 December


@dataclass(frozen=True)
class GuaranteedSummary:
    lines: int
    guaranteed_outstanding: Decimal  # share × outstanding of each line, as of the import
    figures_on: date | None
    by_year: list[YearGuaranteed]


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
        by_year.append(YearGuaranteed(year=year, guaranteed_outstanding=max(remaining, Decimal(0)).quantize(cents)))
    return GuaranteedSummary(
        lines=lines, guaranteed_outstanding=total.quantize(cents), figures_on=figures_on, by_year=by_year
    )
