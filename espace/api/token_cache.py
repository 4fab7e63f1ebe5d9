"""The token of each API call, read through the cache, as the session's user is
(espace.accounts.session_user, whose rules this follows).

Compiling and running the token's query with its establishment and creator was half of an API
call answered from the page cache (0.31 of 0.55 s over 60 calls under cProfile, issue 23). The
cache holds the token's own row, by digest; its creator and the creator's establishment come from
the session user's cache, which forgets them at every change of status, permissions or
establishment. The token's row is forgotten at any save or delete (a revocation: the next call is
refused, on every node) and when its last use is written; at once and again when the transaction
commits. `SESSION_USER_CACHE_SECONDS` bounds what a race with a change could keep (60 s)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from espace.accounts.session_user import cached_rows_forget, in_own_transaction, session_user_read
from espace.api.models import ApiToken

KEY_PREFIX = "espace:api-token:v1:"


def _key(digest: str) -> str:
    return f"{KEY_PREFIX}{digest}"


def token_read(digest: str) -> ApiToken | None:
    """The token with this digest, its creator and (when the creator belongs to it) its
    establishment joined; from the cache or the database."""
    token = cache.get(_key(digest))
    if not isinstance(token, ApiToken):
        token = ApiToken.objects.filter(token_hash=digest).order_by().first()
        if token is None:
            return None
        if not in_own_transaction():
            cache.set(_key(digest), token, settings.SESSION_USER_CACHE_SECONDS)
    return _joined(token)


def _joined(token: ApiToken) -> ApiToken:
    creator = session_user_read(token.created_by_id)
    if creator is None:  # PROTECT: a creator is never deleted; read it plainly all the same
        return ApiToken.objects.select_related("establishment", "created_by").get(pk=token.pk)
    token.created_by = creator
    if creator.establishment is not None and creator.establishment_id == token.establishment_id:
        token.establishment = creator.establishment
    return token


def tokens_forget(digests: Iterable[str]) -> None:
    """Forget the cached copies of these tokens, now and when the current transaction commits."""
    cached_rows_forget([_key(digest) for digest in digests])


def _token_changed(sender: type[ApiToken], instance: ApiToken, **kwargs: Any) -> None:
    tokens_forget([instance.token_hash])


def token_cache_signals_connect() -> None:
    """Called by the API app's `ready()`."""
    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="api_token_saved")
    post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="api_token_deleted")
