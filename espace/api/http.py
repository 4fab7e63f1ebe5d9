"""What every endpoint shares: JSON errors, opaque cursors, ETags."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast, overload
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Schema

from espace.api.models import ApiToken

CENTS = Decimal("0.01")
PERCENT_PLACES = Decimal("0.0001")


class ApiError(Exception):
    """An answer other than 200, as JSON: {"error": code, "message": French text, "fields": [...]}."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.fields = [{"field": field, "message": text} for field, text in fields]
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", "Aucune ressource de votre établissement ne correspond à cet identifiant.")


def public_id_or_404(value: str) -> UUID:
    """A path identifier: anything but a UUID is unknown (404), as an id of another establishment is."""
    try:
        return UUID(value)
    except ValueError:
        raise not_found() from None


def bad_cursor() -> ApiError:
    return ApiError(400, "invalid_request", "Paramètres invalides.", fields=[("cursor", "Curseur inconnu.")])


class ApiRequest(HttpRequest):
    """A call TokenAuth accepted: ninja puts the token it returned in `auth`."""

    auth: ApiToken


def token_of(request: HttpRequest) -> ApiToken:
    """The token TokenAuth accepted for this call."""
    return cast(ApiRequest, request).auth


def only_known(request: HttpRequest, allowed: type[Schema] | None = None) -> None:
    """An unknown query parameter is a 400, not silently ignored: « stauts=repaid » would otherwise
    answer every loan, and a synchronisation would take it for the repaid ones."""
    known = set(allowed.model_fields) if allowed is not None else set()
    unknown = sorted(set(request.GET) - known)
    if unknown:
        raise ApiError(
            400,
            "invalid_request",
            "Paramètres invalides.",
            fields=[(name[:60] or "?", "Paramètre inconnu.") for name in unknown[:10]],
        )


def aware(value: datetime | None) -> datetime | None:
    """A date-time given without an offset is Paris time."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


@overload
def amount(value: Decimal) -> str: ...
@overload
def amount(value: None) -> None: ...
def amount(value: Decimal | None) -> str | None:
    """Money as a decimal string with two places, never a float."""
    return None if value is None else str(value.quantize(CENTS))


@overload
def percent(fraction: Decimal) -> str: ...
@overload
def percent(fraction: None) -> None: ...
def percent(fraction: Decimal | None) -> str | None:
    """A rate kept as a fraction, given in percent with four places (0.006 → "0.6000")."""
    return None if fraction is None else str((fraction * 100).quantize(PERCENT_PLACES))


def share(value: Decimal) -> str:
    """A guaranteed share in percent with three places ("50.000")."""
    return str(Decimal(value).quantize(Decimal("0.001")))


def cursor_encode(key: Sequence[Any]) -> str:
    raw = json.dumps([value.isoformat() if isinstance(value, date) else value for value in key], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, length: int) -> list[Any]:
    """The key a cursor carries; a cursor we did not make answers 400 on the field `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = None
    if not isinstance(key, list) or len(key) != length or not all(isinstance(v, str | int) for v in key):
        raise ApiError(400, "invalid_request", "Paramètres invalides.", fields=[("cursor", "Curseur inconnu.")])
    return key


def etag_for(*parts: object) -> str:
    digest = hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """304 when the client already holds this version of the list (If-None-Match, weak comparison)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return None
    held = {item.strip().removeprefix("W/") for item in header.split(",")}
    if "*" in held or etag.removeprefix("W/") in held:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Cache-Control"] = "no-store"
        return response
    return None
