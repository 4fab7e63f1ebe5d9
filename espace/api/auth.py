"""Bearer tokens: who calls, for which establishment, with which scopes.

Order of the checks, each refusal journalled: a token must be given and known (401), within its
rate limit (429, counted for every call of the token), active — not revoked, not expired, its
creator still an active administrator of its establishment, which is itself active — (401),
called from an allowed network (403), and hold the endpoint's scope (403)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from espace.api.enums import ApiScope, TokenState
from espace.api.http import ApiError
from espace.api.models import ApiToken
from espace.api.services import api_request_refused, api_token_used, rate_limit_hit, token_digest
from espace.api.token_cache import token_read
from espace.core import clock
from espace.core.net import address_allowed, client_ip

MAX_TOKEN_LENGTH = 200

REFUSALS = {
    TokenState.REVOKED: ("token_revoked", "Ce jeton a été révoqué par un administrateur de votre établissement."),
    TokenState.EXPIRED: ("token_expired", "Ce jeton a expiré : demandez-en un nouveau à votre administrateur."),
    TokenState.SUSPENDED: (
        "token_suspended",
        "Ce jeton est suspendu : la personne qui l'a créé n'administre plus votre établissement.",
    ),
}


def endpoint_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else request.path
    return f"{request.method} /{route}"[:120]


def _allowed_from(token: ApiToken, request: HttpRequest) -> bool:
    """The token's own networks, and those its establishment's security policy sets for the API."""
    address = client_ip(request)
    return address_allowed(address, token.allowed_networks) and address_allowed(
        address, token.establishment.api_networks
    )


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ep_…`; `scope` is what the endpoint reads (None: any valid token)."""

    def __init__(self, scope: ApiScope | None = None) -> None:
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> ApiToken:
        endpoint = endpoint_of(request)
        scheme, _space, clear = request.headers.get("Authorization", "").partition(" ")
        clear = clear.strip()
        if scheme.lower() != "bearer" or not clear:
            api_request_refused(reason="missing_token", endpoint=endpoint)
            raise ApiError(401, "missing_token", "Indiquez votre jeton : en-tête « Authorization: Bearer <jeton> ».")
        token = token_read(token_digest(clear)) if len(clear) <= MAX_TOKEN_LENGTH else None
        if token is None:
            api_request_refused(reason="invalid_token", endpoint=endpoint)
            raise ApiError(401, "invalid_token", "Jeton inconnu.")
        window = rate_limit_hit(token=token)
        if window.exceeded:
            if window.first_refusal:
                api_request_refused(reason="rate_limited", endpoint=endpoint, token=token)
            raise ApiError(
                429,
                "rate_limited",
                "Trop d'appels avec ce jeton : réessayez dans quelques secondes.",
                headers={"Retry-After": str(window.retry_after)},
            )
        state = token.state_at(clock.now())
        if state != TokenState.ACTIVE:
            code, message = REFUSALS[state]
            api_request_refused(reason=code, endpoint=endpoint, token=token)
            raise ApiError(401, code, message)
        if not _allowed_from(token, request):
            api_request_refused(reason="ip_not_allowed", endpoint=endpoint, token=token)
            raise ApiError(
                403,
                "ip_not_allowed",
                "Ce jeton ne peut pas être utilisé depuis cette adresse IP (réseaux autorisés du jeton ou de votre établissement).",
            )
        if self.scope is not None and not token.has_scope(self.scope):
            api_request_refused(reason="scope_missing", endpoint=endpoint, token=token)
            raise ApiError(
                403, "scope_missing", f"Ce jeton n'a pas le droit « {self.scope.label} » qu'exige cet appel."
            )
        api_token_used(token=token, endpoint=endpoint)
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:  # pragma: no cover
        raise NotImplementedError  # __call__ does it all
