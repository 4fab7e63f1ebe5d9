"""Reads of the API: the tokens (the administrator's screens and the authentication), and the
lists and details the endpoints serve. Each list is a keyset page (its order is its key: any page
costs the same, the 1st or the 400th) and has a cheap version for its ETag. Every read starts
from the establishment, through the apps' own tenant-scoped selectors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum, prefetch_related_objects

from espace.api.models import ApiToken
from espace.documents.models import Document
from espace.documents.selectors import library_filtered
from espace.establishments.models import Establishment
from espace.loan_requests.models import DocumentRequest, DossierEvent, LoanRequest, PlannedGuarantee, RequestLine
from espace.loan_requests.selectors import dossier_last_activity, dossiers_of, request_lines_total
from espace.portfolio.models import FinancingLine, Guarantee, ScheduleRow
from espace.portfolio.selectors import direct_lines, guaranteed_lines


def tokens_of(establishment: Establishment) -> QuerySet[ApiToken]:
    """The establishment's tokens, newest first, with what the list shows (one query)."""
    return ApiToken.objects.filter(establishment=establishment).select_related(
        "establishment", "created_by", "revoked_by"
    )


def list_version(items: QuerySet[Any], *, latest: str = "updated_at") -> tuple[int, datetime | None]:
    """Count and latest change of a list, in one aggregate (no row fetched): what an ETag needs."""
    figures = items.order_by().aggregate(count=Count("pk"), latest=Max(latest))
    return figures["count"], figures["latest"]


# --- Loans ------------------------------------------------------------------------------------


def loans_listed(
    establishment: Establishment,
    *,
    product: str = "",
    status: str = "",
    maturity_from: date | None = None,
    maturity_to: date | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[FinancingLine]:
    """The establishment's own loans for its software, filtered, in number order (the page key)."""
    lines = direct_lines(establishment)
    if product:
        lines = lines.filter(product__code=product)
    if status:
        lines = lines.filter(status=status)
    if maturity_from:
        lines = lines.filter(maturity_date__gte=maturity_from)
    if maturity_to:
        lines = lines.filter(maturity_date__lte=maturity_to)
    if updated_since:
        lines = lines.filter(updated_at__gte=updated_since)
    return lines.order_by("number")


PRODUCT_TEXTS = ("full_name", "borrowers", "purpose", "profiles", "revisions", "periodicities")


def loans_page(lines: QuerySet[FinancingLine], *, after: str | None, limit: int) -> list[FinancingLine]:
    """Up to `limit` + 1 lines numbered after `after` (the extra one tells that a next page exists).

    A keyset page: the (borrower, number) index gives any page in the same time, the 1st or the 400th."""
    if after is not None:
        lines = lines.filter(number__gt=after)
    # Only the related columns a loan shows: the product's long texts stay in the database.
    lines = lines.select_related("contract", "product").defer(
        *(f"contract__{name}" for name in ("borrower", "signed_on", "dossier_number", "source_digest")),
        *(f"product__{name}" for name in PRODUCT_TEXTS),
    )
    return list(lines.order_by("number")[: limit + 1])


def loan_detail(line: FinancingLine) -> FinancingLine:
    """The line with what its detail shows: guarantees (with their guarantor), schedule rows and
    disbursements (three queries)."""
    guarantees = Guarantee.objects.select_related("guarantor")
    prefetch_related_objects([line], Prefetch("guarantees", queryset=guarantees), "rows", "disbursements")
    return line


def instalments_between(establishment: Establishment, *, start: date, end: date) -> QuerySet[ScheduleRow]:
    """The instalments of the establishment's own loans due from `start` to `end` (inclusive)."""
    return ScheduleRow.objects.filter(line__borrower=establishment, due_date__gte=start, due_date__lte=end)


def instalments_page(rows: QuerySet[ScheduleRow], *, after: tuple[str, int] | None, limit: int) -> list[ScheduleRow]:
    """Up to `limit` + 1 rows in (loan number, row number) order after the key `after`.

    Walking the loans in number order (index (borrower, number)) and each loan's rows by number
    (index (line, number)) stops after the page: a year of 20,000 loans costs one page, not a sort
    of all its instalments."""
    if after is not None:
        line_number, number = after
        rows = rows.filter(Q(line__number__gt=line_number) | Q(line__number=line_number, number__gt=number))
    return list(rows.select_related("line__contract").order_by("line__number", "number")[: limit + 1])


def instalments_version(establishment: Establishment) -> tuple[int, datetime | None]:
    """Rows are rewritten only with their line (the import saves the line): the lines' version."""
    return list_version(direct_lines(establishment))


SYNC_ROW_FIELDS = (
    "line__public_id",
    "line__number",
    "line__contract__number",
    "number",
    "due_date",
    "rate",
    "instalment",
    "interest",
    "capital",
    "outstanding_after",
    "deferred_interest",
    "paid",
)


def schedules_for_sync(establishment: Establishment) -> Iterator[tuple[Any, ...]]:
    """Every schedule row of the establishment's own loans (fields: SYNC_ROW_FIELDS), by loan
    number then row number, fetched in chunks: memory stays flat whatever the number of rows."""
    rows = ScheduleRow.objects.filter(line__borrower=establishment).order_by("line__number", "number")
    return rows.values_list(*SYNC_ROW_FIELDS).iterator(chunk_size=5000)


# --- Guaranteed debt --------------------------------------------------------------------------


def guaranteed_listed(establishment: Establishment) -> QuerySet[FinancingLine]:
    """The lines the establishment guarantees, each with its total share for this guarantor
    (`share`, percent), in number order. Filtering then annotating through the same relation sums
    only this guarantor's guarantees."""
    return (
        FinancingLine.objects.filter(guarantees__guarantor=establishment)
        .annotate(share=Sum("guarantees__share_percent"))
        .order_by("number")
    )


def guaranteed_page(lines: QuerySet[FinancingLine], *, after: str | None, limit: int) -> list[FinancingLine]:
    if after is not None:
        lines = lines.filter(number__gt=after)
    return list(lines.select_related("contract__borrower", "product").order_by("number")[: limit + 1])


def guaranteed_version(establishment: Establishment) -> tuple[int, datetime | None]:
    return list_version(guaranteed_lines(establishment))


# --- Dossiers ---------------------------------------------------------------------------------


def dossiers_listed(
    establishment: Establishment,
    *,
    status: str = "",
    updated_since: datetime | None = None,
    sent_since: datetime | None = None,
) -> QuerySet[LoanRequest]:
    """The establishment's dossiers for its software, filtered, each with `last_activity` (what the
    list's version reads), in dossier number order (the page key)."""
    dossiers = dossiers_of(establishment).annotate(last_activity=dossier_last_activity())
    if status:
        dossiers = dossiers.filter(status=status)
    if sent_since:
        dossiers = dossiers.filter(sent_at__gte=sent_since)
    if updated_since:
        dossiers = dossiers.filter(last_activity__gte=updated_since)
    return dossiers.order_by("dossier_number")


def dossiers_page(dossiers: QuerySet[LoanRequest], *, after: str | None, limit: int) -> list[LoanRequest]:
    """Up to `limit` + 1 dossiers numbered after `after` (the extra one tells that a next page
    exists), with what a list item shows, the total of its lines included (one query)."""
    if after is not None:
        dossiers = dossiers.filter(dossier_number__gt=after)
    dossiers = dossiers.select_related("regional_office", "contract").annotate(lines_total=request_lines_total())
    return list(dossiers.order_by("dossier_number")[: limit + 1])


def dossier_for(establishment: Establishment, public_id: Any) -> LoanRequest | None:
    """One dossier of the establishment (None for a draft, another establishment's or an unknown id)."""
    return (
        dossiers_of(establishment)
        .select_related("regional_office", "contract")
        .annotate(last_activity=dossier_last_activity())
        .filter(public_id=public_id)
        .first()
    )


def dossier_detail(dossier: LoanRequest) -> LoanRequest:
    """The dossier with what its detail shows beyond its row: lines with their product and planned
    guarantees, the timeline, the documents the office asked for, the loans of its contract."""
    guarantees = PlannedGuarantee.objects.select_related("guarantor").order_by("pk")
    lookups: list[Any] = [
        Prefetch("lines", queryset=RequestLine.objects.select_related("product").order_by("pk")),
        Prefetch("lines__guarantees", queryset=guarantees),
        Prefetch("events", queryset=DossierEvent.objects.order_by("created_at", "pk")),
        Prefetch("document_requests", queryset=DocumentRequest.objects.order_by("created_at", "pk")),
    ]
    if dossier.contract:
        lookups.append(Prefetch("contract__lines", queryset=FinancingLine.objects.order_by("number")))
    prefetch_related_objects([dossier], *lookups)
    return dossier


# --- Documents --------------------------------------------------------------------------------


def documents_listed(
    establishment: Establishment,
    *,
    kind: str = "",
    year: int | None = None,
    loan: str = "",
    dossier: str = "",
    updated_since: datetime | None = None,
) -> QuerySet[Document]:
    """The library for the establishment's software: the library's filters, and what changed since
    an instant; newest first, then by public id (the page key)."""
    documents = library_filtered(establishment, kind=kind, year=year, loan=loan, dossier=dossier)
    if updated_since:
        documents = documents.filter(updated_at__gte=updated_since)
    return documents.order_by("-issued_on", "-public_id")


def documents_page(documents: QuerySet[Document], *, after: tuple[date, UUID] | None, limit: int) -> list[Document]:
    """Up to `limit` + 1 documents after the key (issued_on, public_id) in the list's order
    (newest first), with the loan each names (one query)."""
    if after is not None:
        issued_on, public_id = after
        documents = documents.filter(Q(issued_on__lt=issued_on) | Q(issued_on=issued_on, public_id__lt=public_id))
    return list(documents.order_by("-issued_on", "-public_id")[: limit + 1])
