"""/api/v1/loans and /instalments: the establishment's outstanding loans, their schedules and
instalments (scope `portfolio`). Read from the token's establishment: another
establishment's loan answers 404, as if it did not exist; a loan it guarantees opens too."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import ApiError, aware, not_found, only_known, public_id_or_404, token_of
from espace.api.pages import INSTALMENT_KEY, PORTFOLIO_LISTS, by_text, keyset_list
from espace.api.schemas import (
    ERRORS_404,
    ETAG_HEADER,
    LISTS,
    InstalmentFilters,
    InstalmentPage,
    LoanDetailOut,
    LoanFilters,
    LoanPage,
)
from espace.api.selectors import (
    instalments_between,
    instalments_page,
    instalments_version,
    list_version,
    loan_detail,
    loans_listed,
    loans_page,
)
from espace.portfolio.models import FinancingLine
from espace.portfolio.selectors import line_for

router = Router()
portfolio = TokenAuth(ApiScope.PORTFOLIO)


@router.get(
    "/loans",
    operation_id="espace_api_endpoints_loans",
    summary="Prêts (liste)",
    response={200: LoanPage, **LISTS},
    auth=portfolio,
    tags=["Encours"],
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def loans(request: HttpRequest, response: HttpResponse, filters: Query[LoanFilters]) -> Any:
    """Les prêts de votre établissement (dette directe), par numéro, page par page (curseur)."""
    only_known(request, LoanFilters)
    lines = loans_listed(
        token_of(request).establishment,
        product=filters.product or "",
        status=filters.status or "",
        maturity_from=filters.maturity_from,
        maturity_to=filters.maturity_to,
        updated_since=aware(filters.updated_since),
    )
    return keyset_list(
        request,
        response,
        name="loans",
        cursor=filters.cursor,
        limit=filters.limit,
        keyset=by_text(lambda line: line.number),
        version=lambda: list_version(lines),
        page=lambda after, limit: loans_page(lines, after=after, limit=limit),
        scopes=PORTFOLIO_LISTS,
    )


@router.get(
    "/loans/{loan_id}",
    summary="Un prêt",
    response={200: LoanDetailOut, **ERRORS_404},
    auth=portfolio,
    tags=["Encours"],
    operation_id="espace_api_endpoints_loan",
)
def loan(request: HttpRequest, loan_id: str) -> FinancingLine:
    """Un prêt de votre établissement, ou qu'il garantit : contrat, garanties, échéancier, versements."""
    only_known(request)
    found = line_for(token_of(request).establishment, public_id_or_404(loan_id))
    if found is None:
        raise not_found()
    return loan_detail(found[0])


@router.get(
    "/instalments",
    operation_id="espace_api_endpoints_instalments",
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
    rows = instalments_between(est, start=filters.due_from, end=filters.due_to)
    return keyset_list(
        request,
        response,
        name="instalments",
        cursor=filters.cursor,
        limit=filters.limit,
        keyset=INSTALMENT_KEY,
        version=lambda: instalments_version(est),
        page=lambda after, limit: instalments_page(rows, after=after, limit=limit),
        scopes=PORTFOLIO_LISTS,
    )
