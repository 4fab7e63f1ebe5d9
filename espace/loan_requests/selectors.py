"""Reads of the loan requests and dossiers: always through the establishment (or the office)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from espace.establishments.models import Establishment
from espace.loan_requests.enums import FileKind, RequestStatus
from espace.loan_requests.models import DossierFile, LoanRequest, RequestLine


def requests_of(establishment: Establishment) -> QuerySet[LoanRequest]:
    return LoanRequest.objects.filter(establishment=establishment)


def request_for(establishment: Establishment, public_id: Any) -> LoanRequest | None:
    return (
        requests_of(establishment)
        .select_related("establishment", "created_by", "updated_by", "sent_by", "regional_office", "contract")
        .filter(public_id=public_id)
        .first()
    )


def requests_filtered(
    establishment: Establishment, *, status: str = "", kind: str = "", q: str = "", product: str = ""
) -> QuerySet[LoanRequest]:
    """The list: one query for the page (totals annotated, authors joined)."""
    requests = requests_of(establishment)
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    if q:
        requests = requests.filter(Q(name__icontains=q) | Q(dossier_number__icontains=q))
    if product:
        requests = requests.filter(lines__product__code=product).distinct()
    return (
        requests.select_related("created_by")
        .annotate(total=Sum("lines__amount"), line_count=Count("lines", distinct=True))
        .prefetch_related(Prefetch("lines", queryset=RequestLine.objects.select_related("product")))
        .order_by("-updated_at", "-pk")
    )


def request_detail(loan_request: LoanRequest) -> dict[str, Any]:
    files = list(
        loan_request.files.select_related("uploaded_by", "required_document", "document_request").order_by("created_at")
    )
    lines = list(loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor").order_by("pk"))
    return {
        "lines": lines,
        "total": sum((line.amount for line in lines), Decimal(0)),
        "dwellings": list(loan_request.dwellings.all()),
        "events": list(loan_request.events.select_related("actor")),
        "dossier_messages": list(loan_request.messages.select_related("author").prefetch_related("files")),
        "document_requests": list(loan_request.document_requests.select_related("requested_by")),
        "files": [stored for stored in files if stored.kind != FileKind.MESSAGE],
        "offer": next((stored for stored in reversed(files) if stored.kind == FileKind.OFFER), None),
    }


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
