"""/api/v1/dossiers: the loan requests the establishment sent, with their status and timeline
(scope `dossiers`). Read from the token's establishment, through the loan requests' dossiers_of: a
draft, another establishment's dossier or an unknown id answers 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import aware, not_found, only_known, public_id_or_404, token_of
from espace.api.pages import DOSSIER_LISTS, by_text, keyset_list
from espace.api.schemas import ERRORS_404, ETAG_HEADER, LISTS, DossierDetailOut, DossierFilters, DossierPage
from espace.api.selectors import dossier_detail, dossier_for, dossiers_listed, dossiers_page, list_version
from espace.loan_requests.models import LoanRequest

router = Router(tags=["Dossiers"])
dossiers_scope = TokenAuth(ApiScope.DOSSIERS)


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
    found = dossiers_listed(
        token_of(request).establishment,
        status=filters.status or "",
        updated_since=aware(filters.updated_since),
        sent_since=aware(filters.sent_since),
    )
    return keyset_list(
        request,
        response,
        name="dossiers",
        cursor=filters.cursor,
        limit=filters.limit,
        keyset=by_text(lambda dossier: str(dossier.dossier_number)),
        version=lambda: list_version(found, latest="last_activity"),
        page=lambda after, limit: dossiers_page(found, after=after, limit=limit),
        scopes=DOSSIER_LISTS,
    )


@router.get(
    "/dossiers/{dossier_id}",
    summary="Un dossier",
    response={200: DossierDetailOut, **ERRORS_404},
    auth=dossiers_scope,
)
def dossier(request: HttpRequest, dossier_id: str) -> LoanRequest:
    """Un dossier de votre établissement : lignes de financement et garanties prévues, historique,
    documents demandés par la direction régionale, puis le contrat et ses prêts."""
    only_known(request)
    found = dossier_for(token_of(request).establishment, public_id_or_404(dossier_id))
    if found is None:
        raise not_found()
    return dossier_detail(found)
