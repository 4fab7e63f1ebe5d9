"""/api/v1/dossiers: the loan requests the establishment sent, with their status and timeline
(scope `dossiers`). Read through the loan requests' selectors from the token's establishment: a
draft, another establishment's dossier or an unknown id answers 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import (
    amount,
    aware,
    bad_cursor,
    cursor_decode,
    cursor_encode,
    etag_for,
    not_found,
    not_modified,
    only_known,
    public_id_or_404,
    share,
    token_of,
    with_etag,
)
from espace.api.schemas import ERRORS_404, ETAG_HEADER, LISTS, DossierDetailOut, DossierFilters, DossierPage
from espace.loan_requests.enums import EventKind
from espace.loan_requests.models import DossierEvent, LoanRequest, PlannedGuarantee, RequestLine
from espace.loan_requests.selectors import (
    api_dossiers,
    dossier_api_detail,
    dossier_for,
    dossiers_page,
    dossiers_version,
)
from espace.portfolio.enums import GuarantorKind

router = Router(tags=["Dossiers"])
dossiers_scope = TokenAuth(ApiScope.DOSSIERS)

# Who acted, as the establishment reads it: never the name of a person of the lender.
OFFICE = "direction régionale"
ESTABLISHMENT = "établissement"


def _dossier(item: LoanRequest, *, lines_total: Decimal | None) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "dossier_number": item.dossier_number,
        "kind": item.kind,
        "name": item.name,
        "status": item.status,
        "status_label": str(item.get_status_display()),
        "amount": amount(lines_total if lines_total is not None else item.requested_amount),
        "sent_at": item.sent_at,
        "regional_office": item.regional_office.name if item.regional_office else None,
        "offer_issued_at": item.offer_issued_at,
        "contract_number": item.contract.number if item.contract else None,
        "updated_at": item.last_activity,  # type: ignore[attr-defined]
    }


@router.get(
    "/dossiers",
    summary="Dossiers (liste)",
    response={200: DossierPage, **LISTS},
    auth=dossiers_scope,
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def dossiers(request: HttpRequest, response: HttpResponse, filters: Query[DossierFilters]) -> Any:
    """Les dossiers de votre établissement — les demandes de prêt transmises à la direction régionale,
    par numéro de dossier, page par page (curseur). Les brouillons et les demandes en attente de
    validation ne sont pas des dossiers : ils n'y figurent pas."""
    only_known(request, DossierFilters)
    est = token_of(request).establishment
    after = cursor_decode(filters.cursor, length=1)[0] if filters.cursor else None
    if after is not None and not isinstance(after, str):
        raise bad_cursor()
    found = api_dossiers(
        est,
        status=filters.status or "",
        updated_since=aware(filters.updated_since),
        sent_since=aware(filters.sent_since),
    )
    count, latest = dossiers_version(found)
    etag = etag_for("dossiers", est.pk, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    page = dossiers_page(found, after=after, limit=filters.limit)
    more = len(page) > filters.limit
    page = page[: filters.limit]
    payload = {
        "items": [_dossier(item, lines_total=item.lines_total) for item in page],  # type: ignore[attr-defined]
        "next_cursor": cursor_encode([page[-1].dossier_number]) if more else None,
    }
    return with_etag(response, etag, payload)


def _guarantee(guarantee: PlannedGuarantee) -> dict[str, Any]:
    cglls = guarantee.kind == GuarantorKind.CGLLS or guarantee.guarantor is None
    return {
        "kind": guarantee.kind,
        "guarantor_id": None if cglls else guarantee.guarantor.public_id,  # type: ignore[union-attr]
        "guarantor_name": "CGLLS" if cglls else guarantee.guarantor.legal_name,  # type: ignore[union-attr]
        "share_percent": share(guarantee.share_percent),
    }


def _line(line: RequestLine) -> dict[str, Any]:
    return {
        "product": {"code": line.product.code, "name": line.product.name},
        "amount": amount(line.amount),
        "duration_years": line.duration_years,
        "land_amount": amount(line.land_amount),
        "land_duration_years": line.land_duration_years,
        "prefinancing_months": line.prefinancing_months,
        "periodicity": line.periodicity,
        "profile": line.profile,
        "guarantees": [_guarantee(guarantee) for guarantee in line.guarantees.all()],
    }


def _event(event: DossierEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "label": str(event.get_kind_display()),
        "status": event.status or None,
        "at": event.created_at,
        "from_office": event.from_office,
        "by": OFFICE if event.from_office else ESTABLISHMENT,
        # A message is a conversation between people (signatures included): read in the client space.
        "note": "" if event.kind == EventKind.MESSAGE else event.note,
    }


@router.get(
    "/dossiers/{dossier_id}",
    summary="Un dossier",
    response={200: DossierDetailOut, **ERRORS_404},
    auth=dossiers_scope,
)
def dossier(request: HttpRequest, dossier_id: str) -> dict[str, Any]:
    """Un dossier de votre établissement : lignes de financement et garanties prévues, historique,
    documents demandés par la direction régionale, puis le contrat et ses prêts."""
    only_known(request)
    found = dossier_for(token_of(request).establishment, public_id_or_404(dossier_id))
    if found is None:
        raise not_found()
    detail = dossier_api_detail(found)
    lines: list[RequestLine] = detail["lines"]
    contract = found.contract
    return {
        **_dossier(found, lines_total=sum((line.amount for line in lines), Decimal(0)) if lines else None),
        "nature": found.nature,
        "commune": found.commune,
        "insee_code": found.insee_code,
        "requested_years": found.requested_years,
        "lines": [_line(line) for line in lines],
        "timeline": [_event(event) for event in detail["events"]],
        "document_requests": [
            {
                "id": asked.public_id,
                "reason": asked.reason,
                "requested_at": asked.created_at,
                "due_on": asked.due_on,
                "fulfilled_at": asked.fulfilled_at,
            }
            for asked in detail["document_requests"]
        ],
        "contract": {"number": contract.number, "signed_on": contract.signed_on} if contract else None,
        "loans": [{"id": line.public_id, "number": line.number} for line in detail["loans"]],
    }
