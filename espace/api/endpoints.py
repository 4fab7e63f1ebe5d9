"""The endpoints of /api/v1/. Every read goes through the apps' selectors, from the token's
establishment: another establishment's loan answers 404, as if it did not exist."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import (
    ApiError,
    amount,
    aware,
    bad_cursor,
    cursor_decode,
    cursor_encode,
    etag_for,
    not_found,
    not_modified,
    only_known,
    percent,
    public_id_or_404,
    share,
    token_of,
    with_etag,
)
from espace.api.schemas import (
    ERRORS,
    ERRORS_404,
    ETAG_HEADER,
    LISTS,
    EstablishmentOut,
    GuaranteedDebtOut,
    GuaranteedLinePage,
    InstalmentFilters,
    InstalmentPage,
    LivretAOut,
    LoanDetailOut,
    LoanFilters,
    LoanPage,
    PageParams,
)
from espace.core import clock
from espace.portfolio.models import FinancingLine, ScheduleRow
from espace.portfolio.selectors import (
    api_guaranteed_lines,
    api_lines,
    guaranteed_lines_page,
    guaranteed_summary,
    guaranteed_version,
    instalments_between,
    instalments_page,
    instalments_version,
    line_detail,
    line_for,
    lines_page,
    lines_version,
    schedules_for_sync,
)
from espace.products.selectors import livret_a_floor, livret_a_history, livret_a_today

router = Router()
portfolio = TokenAuth(ApiScope.PORTFOLIO)


@router.get(
    "/establishment",
    summary="Votre établissement et le jeton",
    response={200: EstablishmentOut, **ERRORS},
    auth=TokenAuth(),
    tags=["Établissement"],
)
def establishment(request: HttpRequest) -> dict[str, Any]:
    """Votre établissement et les droits du jeton utilisé."""
    only_known(request)
    token = token_of(request)
    est = token.establishment
    return {
        "id": est.public_id,
        "client_number": est.client_number,
        "legal_name": est.legal_name,
        "kind": est.kind,
        "borrower": est.is_borrower,
        "guarantor": est.is_guarantor,
        "token": {"id": token.public_id, "name": token.name, "scopes": token.scopes, "expires_at": token.expires_at},
    }


def _loan(line: FinancingLine) -> dict[str, Any]:
    return {
        "id": line.public_id,
        "number": line.number,
        "contract_number": line.contract.number,
        "product": {"code": line.product.code, "name": line.product.name},
        "principal": amount(line.principal),
        "outstanding": amount(line.outstanding),
        "figures_on": line.figures_on,
        "status": line.status,
        "rate_index": line.rate_index,
        "margin_percent": percent(line.margin),
        "fixed_rate_percent": percent(line.fixed_rate),
        "periodicity": line.periodicity,
        "duration_years": line.duration_years,
        "profile": line.profile,
        "revision": line.revision,
        "first_due": line.first_due,
        "maturity_date": line.maturity_date,
        "next_due_date": line.next_due_date,
        "next_instalment": amount(line.next_instalment),
        "updated_at": line.updated_at,
    }


@router.get(
    "/loans",
    summary="Prêts (liste)",
    response={200: LoanPage, **LISTS},
    auth=portfolio,
    tags=["Encours"],
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def loans(request: HttpRequest, response: HttpResponse, filters: Query[LoanFilters]) -> Any:
    """Les prêts de votre établissement (dette directe), par numéro, page par page (curseur)."""
    only_known(request, LoanFilters)
    est = token_of(request).establishment
    lines = api_lines(
        est,
        product=filters.product or "",
        status=filters.status or "",
        maturity_from=filters.maturity_from,
        maturity_to=filters.maturity_to,
        updated_since=aware(filters.updated_since),
    )
    after = cursor_decode(filters.cursor, length=1)[0] if filters.cursor else None
    if after is not None and not isinstance(after, str):
        raise bad_cursor()
    count, latest = lines_version(lines)
    etag = etag_for("loans", est.pk, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    page = lines_page(lines, after=after, limit=filters.limit)
    more = len(page) > filters.limit
    page = page[: filters.limit]
    payload = {
        "items": [_loan(line) for line in page],
        "next_cursor": cursor_encode([page[-1].number]) if more else None,
    }
    return with_etag(response, etag, payload)


@router.get(
    "/loans/{loan_id}", summary="Un prêt", response={200: LoanDetailOut, **ERRORS_404}, auth=portfolio, tags=["Encours"]
)
def loan(request: HttpRequest, loan_id: str) -> dict[str, Any]:
    """Un prêt de votre établissement, ou qu'il garantit : contrat, garanties, échéancier, versements."""
    only_known(request)
    found = line_for(token_of(request).establishment, public_id_or_404(loan_id))
    if found is None:
        raise not_found()
    line, own = found
    detail = line_detail(line)
    borrower = line.contract.borrower
    return {
        **_loan(line),
        "relation": "borrower" if own else "guarantor",
        "borrower": {"id": borrower.public_id, "legal_name": borrower.legal_name},
        "contract": {
            "number": line.contract.number,
            "signed_on": line.contract.signed_on,
            "dossier_number": line.contract.dossier_number,
        },
        "guarantees": [
            {
                "kind": guarantee.kind,
                "guarantor": (
                    {"id": guarantee.guarantor.public_id, "legal_name": guarantee.guarantor.legal_name}
                    if guarantee.guarantor is not None
                    else None
                ),
                "share_percent": share(guarantee.share_percent),
                "deliberation_reference": guarantee.deliberation_reference,
                "deliberation_date": guarantee.deliberation_date,
            }
            for guarantee in detail["guarantees"]
        ],
        "schedule": [_row(row) for row in detail["rows"]],
        "disbursements": [
            {
                "planned_on": item.planned_on,
                "amount": amount(item.amount),
                "status": item.status,
                "drawn_on": item.drawn_on,
            }
            for item in detail["disbursements"]
        ],
    }


def _row(row: ScheduleRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "due_date": row.due_date,
        "rate_percent": percent(row.rate),
        "instalment": amount(row.instalment),
        "interest": amount(row.interest),
        "capital": amount(row.capital),
        "outstanding_after": amount(row.outstanding_after),
        "deferred_interest": amount(row.deferred_interest),
        "paid": row.paid,
    }


@router.get(
    "/instalments",
    summary="Échéances entre deux dates",
    response={200: InstalmentPage, **LISTS},
    auth=portfolio,
    tags=["Encours"],
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def instalments(request: HttpRequest, response: HttpResponse, filters: Query[InstalmentFilters]) -> Any:
    """Les échéances de vos prêts dues entre deux dates (incluses), par numéro de prêt puis d'échéance."""
    only_known(request, InstalmentFilters)
    if filters.due_from > filters.due_to:
        raise ApiError(
            400,
            "invalid_request",
            "Paramètres invalides.",
            fields=[("due_to", "La date de fin doit suivre la date de début.")],
        )
    est = token_of(request).establishment
    after = None
    if filters.cursor:
        line_number, number = cursor_decode(filters.cursor, length=2)
        try:
            after = (str(line_number), int(number))
        except (TypeError, ValueError):
            raise bad_cursor() from None
    rows = instalments_between(est, start=filters.due_from, end=filters.due_to)
    count, latest = instalments_version(est)
    etag = etag_for("instalments", est.pk, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    page = instalments_page(rows, after=after, limit=filters.limit)
    more = len(page) > filters.limit
    page = page[: filters.limit]
    items = []
    for row in page:
        item = _row(row)
        item.pop("deferred_interest")
        items.append(
            {
                "loan_id": row.line.public_id,
                "loan_number": row.line.number,
                "contract_number": row.line.contract.number,
                **item,
            }
        )
    last = page[-1] if page else None
    next_cursor = cursor_encode([last.line.number, last.number]) if more and last else None
    return with_etag(response, etag, {"items": items, "next_cursor": next_cursor})


@router.get(
    "/guaranteed-debt",
    summary="Dette garantie",
    response={200: GuaranteedDebtOut, **ERRORS},
    auth=portfolio,
    tags=["Dette garantie"],
)
def guaranteed_debt(request: HttpRequest) -> dict[str, Any]:
    """Dette garantie : nombre de prêts garantis, encours garanti, et au 31 décembre de chaque année à venir."""
    only_known(request)
    summary = guaranteed_summary(token_of(request).establishment, today=clock.today())
    return {
        "lines": summary.lines,
        "guaranteed_outstanding": amount(summary.guaranteed_outstanding),
        "figures_on": summary.figures_on,
        "by_year": [
            {"year": item["year"], "guaranteed_outstanding": amount(item["guaranteed_outstanding"])}
            for item in summary.by_year
        ],
    }


@router.get(
    "/guaranteed-debt/loans",
    summary="Prêts garantis (liste)",
    response={200: GuaranteedLinePage, **LISTS},
    auth=portfolio,
    tags=["Dette garantie"],
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def guaranteed_loans(request: HttpRequest, response: HttpResponse, params: Query[PageParams]) -> Any:
    """Les prêts que votre établissement garantit, avec sa quotité et l'encours garanti, page par page."""
    only_known(request, PageParams)
    est = token_of(request).establishment
    after = cursor_decode(params.cursor, length=1)[0] if params.cursor else None
    if after is not None and not isinstance(after, str):
        raise bad_cursor()
    count, latest = guaranteed_version(est)
    etag = etag_for("guaranteed", est.pk, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    page = guaranteed_lines_page(api_guaranteed_lines(est), after=after, limit=params.limit)
    more = len(page) > params.limit
    page = page[: params.limit]
    items = [
        {
            "loan_id": line.public_id,
            "loan_number": line.number,
            "contract_number": line.contract.number,
            "borrower": {"id": line.contract.borrower.public_id, "legal_name": line.contract.borrower.legal_name},
            "product": {"code": line.product.code, "name": line.product.name},
            "status": line.status,
            "share_percent": share(line.share),  # type: ignore[attr-defined]
            "outstanding": amount(line.outstanding),
            "guaranteed_outstanding": amount(line.outstanding * Decimal(line.share) / 100),  # type: ignore[attr-defined]
            "figures_on": line.figures_on,
            "maturity_date": line.maturity_date,
            "updated_at": line.updated_at,
        }
        for line in page
    ]
    next_cursor = cursor_encode([page[-1].number]) if more else None
    return with_etag(response, etag, {"items": items, "next_cursor": next_cursor})


@router.get(
    "/rates/livret-a", summary="Livret A", response={200: LivretAOut, **ERRORS}, auth=TokenAuth(), tags=["Taux"]
)
def livret_a(request: HttpRequest) -> dict[str, Any]:
    """Le taux du Livret A en vigueur, son plancher et son historique (index de la plupart des prêts)."""
    only_known(request)
    history = livret_a_history()
    today = livret_a_today(history)
    return {
        "rate_percent": percent(today.index_rate),
        "since": today.since,
        "floor_percent": percent(livret_a_floor()),
        "history": [{"effective_from": day, "rate_percent": percent(rate)} for day, rate in history],
    }


SYNC_HEADER = [
    "loan_id",
    "loan_number",
    "contract_number",
    "number",
    "due_date",
    "rate_percent",
    "instalment",
    "interest",
    "capital",
    "outstanding_after",
    "deferred_interest",
    "paid",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _sync_csv(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(SYNC_HEADER)
    for loan_id, loan_number, contract_number, number, due, rate, *amounts, paid in rows:
        yield writer.writerow(
            [
                loan_id,
                loan_number,
                contract_number,
                number,
                due.isoformat(),
                percent(rate),
                *(amount(value) for value in amounts),
                "true" if paid else "false",
            ]
        )


@router.get(
    "/exports/schedules.csv",
    summary="Échéanciers de tous les prêts (CSV)",
    response={200: None, **ERRORS},
    auth=portfolio,
    tags=["Exports"],
    openapi_extra={
        "responses": {
            200: {
                "description": "CSV (UTF-8, virgule, point décimal, dates ISO), une ligne par échéance.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def schedules_export(request: HttpRequest) -> StreamingHttpResponse:
    """Les échéanciers de tous vos prêts en un CSV transmis au fil de l'eau (synchronisation nocturne)."""
    only_known(request)
    est = token_of(request).establishment
    response = StreamingHttpResponse(_sync_csv(schedules_for_sync(est)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="echeanciers-{est.client_number}-{clock.today():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
