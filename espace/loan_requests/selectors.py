"""Reads of the loan requests and dossiers: always through the establishment (or the office)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils.timezone import localtime

from espace.core.formats import euros
from espace.core.readmodels import RowUrl, template_fields
from espace.establishments.models import Establishment
from espace.loan_requests.enums import FileKind, RequestStatus
from espace.loan_requests.models import (
    DocumentRequest,
    DossierEvent,
    DossierFile,
    DossierMessage,
    DwellingGroup,
    LoanRequest,
    RequestLine,
)


def requests_of(establishment: Establishment) -> QuerySet[LoanRequest]:
    return LoanRequest.objects.filter(establishment=establishment)


def request_for(establishment: Establishment, public_id: Any) -> LoanRequest | None:
    return (
        requests_of(establishment)
        .select_related("establishment", "created_by", "updated_by", "sent_by", "regional_office", "contract")
        .filter(public_id=public_id)
        .first()
    )


def dossiers_of(establishment: Establishment) -> QuerySet[LoanRequest]:
    """The establishment's dossiers: the requests it sent (numbered). Drafts and requests awaiting
    validation are its working copies, not dossiers."""
    return requests_of(establishment).filter(dossier_number__isnull=False)


def dossier_last_activity() -> Greatest:
    """When a dossier last changed: its row, or the latest event of its timeline (a message or a
    document added writes an event without touching the row)."""
    latest_event = DossierEvent.objects.filter(request=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return Greatest(
        "updated_at",
        Coalesce(Subquery(latest_event, output_field=DateTimeField()), "updated_at"),
        output_field=DateTimeField(),
    )


def request_lines_total() -> Subquery:
    """The total of a request's lines, as a subquery (the database sums only the requests it returns)."""
    totals = (
        RequestLine.objects.filter(request=OuterRef("pk")).order_by().values("request").annotate(total=Sum("amount"))
    )
    return Subquery(totals.values("total")[:1])


def requests_filtered(
    establishment: Establishment, *, status: str = "", kind: str = "", q: str = "", product: str = ""
) -> QuerySet[LoanRequest]:
    """The list: one query for the page (authors joined; each request's total from a subquery, so
    the database sums the lines of the page's requests only and counting the list reads no line)."""
    requests = requests_of(establishment)
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    if q:
        requests = requests.filter(Q(name__icontains=q) | Q(dossier_number__icontains=q))
    if product:
        requests = requests.filter(pk__in=RequestLine.objects.filter(product__code=product).values("request"))
    return requests.select_related("created_by").annotate(total=request_lines_total()).order_by("-updated_at", "-pk")


def with_product_names(requests: Iterable[LoanRequest]) -> list[tuple[LoanRequest, str]]:
    """Requests, each with its products' names (« PLUS, PLAI » in the order of its lines): one
    flat query for all of them, no model instance per line (the exports' rows)."""
    items = list(requests)
    names: dict[int, list[str]] = {item.pk: [] for item in items}
    rows = (
        RequestLine.objects.filter(request__in=names).order_by("request", "pk").values_list("request", "product__name")
    )
    for request_id, name in rows:
        names[request_id].append(name)
    return [(item, ", ".join(names[item.pk])) for item in items]


@dataclass(frozen=True)
class DossierRow:
    """One row of the requests list, its cells already written (the list's template prints them:
    no tag or filter per cell; docs/benchmarks.md has the figures)."""

    url: str
    name: str
    subtitle: str
    status: str
    status_label: str
    products: str
    amount: str
    updated: str
    sent: str


# The list shows these columns only: the rows read nothing else (no password hash, no JSON).
LIST_FIELDS = (
    "public_id",
    "name",
    "dossier_number",
    "kind",
    "status",
    "requested_amount",
    "updated_at",
    "sent_at",
    "created_by__first_name",
    "created_by__last_name",
)


def dossier_rows(requests: Iterable[LoanRequest]) -> list[DossierRow]:
    """The rows of one page of `requests_filtered(…).only(*LIST_FIELDS)`: two queries (the
    requests, their lines' products in one flat read), the cells formatted as the template did."""
    items = list(requests)
    names: dict[int, list[str]] = {item.pk: [] for item in items}
    lines = (
        RequestLine.objects.filter(request__in=names).order_by("request", "pk").values_list("request", "product__name")
    )
    for request_id, name in lines:
        names[request_id].append(name)
    detail = RowUrl("loan_requests:detail")
    rows = []
    for item in items:
        amount = getattr(item, "total", None) or item.requested_amount
        creator = item.created_by.get_full_name() if item.created_by_id else ""
        rows.append(
            DossierRow(
                url=detail(item.public_id),
                name=item.name,
                subtitle=f"dossier {item.dossier_number}"
                if item.dossier_number
                else f"{item.get_kind_display()}, par {creator}",
                status=item.status,
                status_label=item.get_status_display(),
                products=", ".join(names[item.pk]) or "—",
                amount=euros(amount) if amount else "—",
                updated=localtime(item.updated_at).strftime("%d/%m/%Y %H:%M"),
                sent=localtime(item.sent_at).strftime("%d/%m/%Y") if item.sent_at else "—",
            )
        )
    return rows


@dataclass(frozen=True)
class RequestDetail:
    """What a request's summary and dossier pages show, read in one place (one query per part)."""

    lines: list[RequestLine]
    total: Decimal
    dwellings: list[DwellingGroup]
    events: list[DossierEvent]
    dossier_messages: list[DossierMessage]
    document_requests: list[DocumentRequest]
    files: list[DossierFile]  # the dossier's files but those attached to messages
    offer: DossierFile | None  # the latest offer issued

    def context(self) -> dict[str, object]:
        """The parts as template variables (the pages name them directly)."""
        return template_fields(self)


def request_detail(loan_request: LoanRequest) -> RequestDetail:
    files = list(
        loan_request.files.select_related("uploaded_by", "required_document", "document_request").order_by("created_at")
    )
    lines = list(loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor").order_by("pk"))
    return RequestDetail(
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
        dwellings=list(loan_request.dwellings.all()),
        events=list(loan_request.events.select_related("actor")),
        dossier_messages=list(loan_request.messages.select_related("author").prefetch_related("files")),
        document_requests=list(loan_request.document_requests.select_related("requested_by")),
        files=[stored for stored in files if stored.kind != FileKind.MESSAGE],
        offer=next((stored for stored in reversed(files) if stored.kind == FileKind.OFFER), None),
    )


def file_for(loan_request: LoanRequest, public_id: Any) -> DossierFile | None:
    return loan_request.files.filter(public_id=public_id).first()


def office_queue(*, office_id: int | None, all_offices: bool, status: str = "", q: str = "") -> QuerySet[LoanRequest]:
    """Dossiers of a regional office (or all), the oldest waiting first."""
    dossiers = LoanRequest.objects.filter(dossier_number__isnull=False)
    if not all_offices:
        dossiers = dossiers.filter(regional_office_id=office_id) if office_id else dossiers.none()
    if status:
        dossiers = dossiers.filter(status=status)
    else:
        dossiers = dossiers.exclude(
            status__in=[RequestStatus.REFUSED, RequestStatus.ABANDONED, RequestStatus.CONTRACTED]
        )
    if q:
        dossiers = dossiers.filter(
            Q(dossier_number__icontains=q)
            | Q(name__icontains=q)
            | Q(establishment__legal_name__icontains=q)
            | Q(establishment__client_number=q.lstrip("0"))
        )
    return (
        dossiers.select_related("establishment", "assigned_to", "regional_office")
        .annotate(total=Sum("lines__amount"))
        .order_by("sent_at", "pk")
    )
