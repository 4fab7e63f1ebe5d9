"""Tokens of the API: issued and revoked by the establishment's administrators, checked on every
call. Every issue, revocation, use and refusal goes to the audit journal (uses at most once a
minute per token and endpoint, see `api_token_used`)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from espace.accounts.models import User
from espace.api.enums import ApiScope, AuditAction
from espace.api.models import ApiToken
from espace.api.token_cache import tokens_forget
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.net import networks_parse
from espace.core.origin import current_ip
from espace.core.redis_cache import counter_hit
from espace.establishments.models import Establishment

TOKEN_PREFIX = "ep_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# « use » rows of the journal and the token's « dernière utilisation »: at most once a minute.
USE_PRECISION = timedelta(minutes=1)


def token_digest(clear: str) -> str:
    return hashlib.sha256(clear.encode()).hexdigest()


def expiry_of(expires_on: date) -> datetime:
    """A token is valid until the end of its last day (Paris time)."""
    return timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))


def _administers(user: User, establishment: Establishment) -> bool:
    return user.is_establishment_admin and user.establishment_id == establishment.pk


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    clear: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *,
    establishment: Establishment,
    created_by: User,
    name: str,
    scopes: list[str],
    expires_on: date,
    allowed_networks: list[str],
) -> IssuedToken:
    """Issue a token of the establishment: scopes among the « habilitations » an administrator grants,
    valid at most API_TOKEN_MAX_DAYS, optionally from some networks only."""
    if not _administers(created_by, establishment):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ApplicationError("Donnez un nom au jeton (par exemple le logiciel qui l'utilisera).", field="name")
    wanted = set(scopes)
    unknown = wanted - set(ApiScope.values)
    if not wanted or unknown:
        raise ApplicationError("Choisissez au moins un droit parmi ceux proposés.", field="scopes")
    today = clock.today()
    if expires_on <= today:
        raise ApplicationError("La date d'expiration doit être postérieure à aujourd'hui.", field="expires_on")
    if expires_on > today + timedelta(days=settings.API_TOKEN_MAX_DAYS):
        raise ApplicationError(
            f"Un jeton est valable au plus {settings.API_TOKEN_MAX_DAYS} jours.",
            field="expires_on",
        )
    networks = networks_parse(allowed_networks)
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        establishment=establishment,
        created_by=created_by,
        name=name[:80],
        scopes=[scope.value for scope in ApiScope if scope.value in wanted],
        prefix=clear[:PREFIX_LENGTH],
        token_hash=token_digest(clear),
        expires_at=expiry_of(expires_on),
        allowed_networks=networks,
    )
    token.save()
    audit_record(
        action=AuditAction.API_TOKEN_CREATED,
        actor=created_by,
        target=token,
        establishment=establishment,
        details={
            "name": token.name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_on": expires_on.isoformat(),
            "networks": networks,
        },
    )
    return IssuedToken(token=token, clear=clear)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User) -> ApiToken:
    """Any administrator of the establishment revokes any of its tokens; a revocation is final."""
    token = ApiToken.objects.select_for_update().select_related("establishment").get(pk=token.pk)
    if not _administers(revoked_by, token.establishment):
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ApplicationError("Ce jeton est déjà révoqué.")
    token.revoked_at = clock.now()
    token.revoked_by = revoked_by
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(
        action=AuditAction.API_TOKEN_REVOKED,
        actor=revoked_by,
        target=token,
        establishment=token.establishment,
        details={"name": token.name, "prefix": token.prefix},
    )
    return token


# The minute whose « use » row this process knows to be written, by token and endpoint: its later
# calls in that minute ask the cache nothing (keyed by the token's public id, never reused).
_uses_noted: dict[tuple[str, str], int] = {}


def api_token_used(*, token: ApiToken, endpoint: str) -> None:
    """Note a successful call: the token's last use (at most once a minute) and one « use » row of
    the journal per token and endpoint per minute of the clock (a nightly synchronisation paging
    through thousands of loans writes a row a minute, not a row a page)."""
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= USE_PRECISION:
        token.last_used_at = now
        token.last_used_ip = current_ip()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=token.last_used_ip)
        tokens_forget([token.token_hash])  # its cached row still has the previous use
    minute = int(now.timestamp() // USE_PRECISION.total_seconds())
    noted = (str(token.public_id), hashlib.sha256(endpoint.encode()).hexdigest()[:16])
    if _uses_noted.get(noted) == minute:
        return
    _uses_noted[noted] = minute
    if cache.add(f"api:used:{':'.join(noted)}:{minute}", 1, timeout=2 * int(USE_PRECISION.total_seconds())):
        audit_record(
            action=AuditAction.API_TOKEN_USED,
            target=token,
            establishment=token.establishment,
            details={"endpoint": endpoint, "prefix": token.prefix},
        )


def api_request_refused(*, reason: str, endpoint: str, token: ApiToken | None = None) -> None:
    """Journal a refused call. With a known token, every refusal (only its holder can cause them,
    and its rate limit bounds them: past the limit, only the first 429 of the minute is written);
    an unknown or missing token, at most once a minute per address and reason, so anonymous noise
    cannot flood the journal."""
    if token is None:
        key = f"api:refused:{current_ip()}:{reason}".replace(" ", "_")
        if not cache.add(key, 1, timeout=int(USE_PRECISION.total_seconds())):
            return
    audit_record(
        action=AuditAction.API_REQUEST_REFUSED,
        target=token,
        establishment=token.establishment if token is not None else None,
        details={"reason": reason, "endpoint": endpoint, **({"prefix": token.prefix} if token else {})},
    )


@dataclass(frozen=True)
class RateWindow:
    count: int  # calls of the token in the current minute, this one included
    retry_after: int  # seconds until the next window

    @property
    def exceeded(self) -> bool:
        return self.count > settings.API_RATE_LIMIT_PER_MINUTE

    @property
    def first_refusal(self) -> bool:
        return self.count == settings.API_RATE_LIMIT_PER_MINUTE + 1


def rate_limit_hit(*, token: ApiToken) -> RateWindow:
    """Count one call of the token in the current minute (every call, refused ones too).

    A fixed one-minute window in Django's cache: with REDIS_URL the count is atomic and shared by
    every web process; the database cache counts approximately under concurrent calls."""
    now = clock.now()
    window = int(now.timestamp()) // 60
    count = counter_hit(f"api:rate:{token.pk}:{window}", timeout=120)
    return RateWindow(count=count, retry_after=max(1, (window + 1) * 60 - int(now.timestamp())))
