"""Reads of the tokens (the administrator's screens and the API's authentication)."""

from __future__ import annotations

from django.db.models import QuerySet

from espace.api.models import ApiToken
from espace.establishments.models import Establishment


def tokens_of(establishment: Establishment) -> QuerySet[ApiToken]:
    """The establishment's tokens, newest first, with what the list shows (one query)."""
    return ApiToken.objects.filter(establishment=establishment).select_related(
        "establishment", "created_by", "revoked_by"
    )


def token_by_digest(digest: str) -> ApiToken | None:
    """The token of a call, with its establishment and creator (one query: their state decides)."""
    return ApiToken.objects.select_related("establishment", "created_by").filter(token_hash=digest).first()
