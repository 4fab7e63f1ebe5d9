"""/api/v1/: the read-only API of the establishments' own software (django-ninja, OpenAPI 3).

The documentation page (Swagger UI) is served by the app from django-ninja's own static files:
no CDN, and the site's Content-Security-Policy unchanged."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase

from espace.api import documents, dossiers, establishment, exports, guaranteed_debt, loans, rates
from espace.api.http import ApiError
from espace.api.pages import list_answer_keep

DESCRIPTION = """
API en lecture seule de votre établissement : encours, échéanciers, garanties, dossiers, documents, Livret A.

**Authentification** : `Authorization: Bearer <jeton>`. Les jetons sont créés par un administrateur
de votre établissement dans l'espace client (« Administration » → « Jetons d'API »), avec des droits
(`portfolio`, `dossiers`, `documents`), une date d'expiration et, au besoin, les adresses IP autorisées.

**Conventions** : montants en chaînes décimales à deux chiffres (`"1000000.00"`), taux en pourcentage
à quatre chiffres (`"2.4000"`), dates ISO 8601, identifiants stables (UUID et numéros du prêteur).
Les listes se parcourent avec `next_cursor` (paramètre `cursor`) et portent un `ETag` :
renvoyez-le en `If-None-Match` pour recevoir `304` si rien n'a changé.

**Limites** : un nombre d'appels par minute et par jeton (`429` avec `Retry-After` au-delà).
Toute erreur est un objet JSON `{"error", "message", "fields"}`.
"""


class LocalSwagger(DocsBase):
    """Swagger UI from the app's static files (django-ninja ships them), without its favicon links
    (absent from the package) nor the online validator."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        return render(request, "api/docs.html", {"openapi_url": self.get_openapi_url(api, kwargs), "api": api})


class EspaceApi(NinjaAPI):
    def create_response(self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().create_response(request, data, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        list_answer_keep(request, response)
        return response


api = EspaceApi(
    title="Espace Prêts — API des établissements",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
for resource in (establishment, loans, guaranteed_debt, rates, exports, dossiers, documents):
    api.add_router("", resource.router)


def error_response(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message, "fields": fields or []}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = error_response(exc.status, exc.code, exc.message, exc.fields)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _field(location: Any) -> str:
    parts = [str(part) for part in location if part not in {"query", "path", "header", "body", "filters", "params"}]
    return ".".join(parts) or "?"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = [{"field": _field(error.get("loc", ())), "message": str(error.get("msg", ""))} for error in exc.errors]
    return error_response(400, "invalid_request", "Paramètres invalides.", fields)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "missing_token", "Indiquez votre jeton : en-tête « Authorization: Bearer <jeton> ».")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", "Aucune ressource de votre établissement ne correspond à cet identifiant.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, "error", str(exc))


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/: a JSON 404 (an HTML page would puzzle the caller's software)."""
    return error_response(404, "not_found", f"Adresse inconnue. La documentation : {reverse('api-v1:openapi-view')}")
