"""/api/v1/establishment: the token's establishment and the token itself (any scope)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from espace.api.auth import TokenAuth
from espace.api.http import only_known, token_of
from espace.api.schemas import ERRORS, EstablishmentOut
from espace.establishments.models import Establishment

router = Router()


@router.get(
    "/establishment",
    operation_id="espace_api_endpoints_establishment",
    summary="Votre établissement et le jeton",
    response={200: EstablishmentOut, **ERRORS},
    auth=TokenAuth(),
    tags=["Établissement"],
)
def establishment(request: HttpRequest) -> Establishment:
    """Votre établissement et les droits du jeton utilisé."""
    only_known(request)
    return token_of(request).establishment
