"""/api/v1/guaranteed-debt: the loans the establishment guarantees, its share and the guaranteed
outstanding (scope `portfolio`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import only_known, token_of
from espace.api.pages import PORTFOLIO_LISTS, by_text, keyset_list
from espace.api.schemas import ERRORS, ETAG_HEADER, LISTS, GuaranteedDebtOut, GuaranteedLinePage, PageParams
from espace.api.selectors import guaranteed_listed, guaranteed_page, guaranteed_version
from espace.core import clock
from espace.portfolio.selectors import GuaranteedSummary, guaranteed_summary

router = Router(tags=["Dette garantie"])
portfolio = TokenAuth(ApiScope.PORTFOLIO)


@router.get(
    "/guaranteed-debt",
    operation_id="espace_api_endpoints_guaranteed_debt",
    summary="Dette garantie",
    response={200: GuaranteedDebtOut, **ERRORS},
    auth=portfolio,
)
def guaranteed_debt(request: HttpRequest) -> GuaranteedSummary:
    """Dette garantie : nombre de prêts garantis, encours garanti, et au 31 décembre de chaque année à venir."""
    only_known(request)
    return guaranteed_summary(token_of(request).establishment, today=clock.today())


@router.get(
    "/guaranteed-debt/loans",
    operation_id="espace_api_endpoints_guaranteed_loans",
    summary="Prêts garantis (liste)",
    response={200: GuaranteedLinePage, **LISTS},
    auth=portfolio,
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def guaranteed_loans(request: HttpRequest, response: HttpResponse, params: Query[PageParams]) -> Any:
    """Les prêts que votre établissement garantit, avec sa quotité et l'encours garanti, page par page."""
    only_known(request, PageParams)
    est = token_of(request).establishment
    return keyset_list(
        request,
        response,
        name="guaranteed",
        cursor=params.cursor,
        limit=params.limit,
        keyset=by_text(lambda line: line.number),
        version=lambda: guaranteed_version(est),
        page=lambda after, limit: guaranteed_page(guaranteed_listed(est), after=after, limit=limit),
        scopes=PORTFOLIO_LISTS,
    )
