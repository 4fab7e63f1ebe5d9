"""Whole client pages, rendered once and kept under the versions of the data they show (issue 23).

A client page costs its queries and its template; the data behind most of them changes far less
often than they are read (the portfolio at each import, a dossier when it moves). A view marked
`@page_cached(scope, …)` is served from the `pages` cache while none of its scopes has changed:

- **Scopes.** A scope is a name and an establishment (`"portfolio"` of establishment 42), or a
  name shared by every establishment (`shared=`: the Livret A rates). Each scope has a version: a
  random token in the cache. `page_cache_bump()` draws a new token at once and again when the
  transaction that changed the data commits (a page rendered meanwhile from the data as it was is
  left under a dead version); apps declare with `page_cache_depends()` which saves and deletes of
  which models change which scopes, and bump by hand after their bulk writes (`bulk_update` sends
  no signal). A token the cache lost is drawn afresh: a page can be rendered again, never shown
  stale. Every page also depends on its establishment's `ESTABLISHMENT` scope (its settings) and on
  today's date.
- **Keys.** A cached page belongs to one user and one URL (one key: a new render replaces the copy
  of the versions before, and the copy says the versions it was rendered under: read with them in
  one round trip); with `colleagues=True` (a page whose
  template and context read nothing of the user but their permissions), to every user of the
  establishment with the same permissions. The key holds the user's row (or their permissions)
  and the establishment's row as the request read them (a change of name, permissions or
  settings is another page, even before a bump), the query parameters the view names (`params=`: sorted; a
  URL with any other parameter is rendered, never kept, so nobody fills the cache with junk
  URLs), the HTMX headers, the release (a digest of the code, the templates and the static files'
  manifest, read once per process: a deployment never serves the pages of the one before) and
  what the `branding` context processor gives. A page is kept `PAGE_CACHE_SECONDS` at most (0: no
  page cache).
- **What is never kept.** Anything but a GET answered 200 in HTML; a page with messages to show
  (it is rendered as usual and shows them once); a page read from a replica that had not yet
  replayed the latest change of its scopes (each version, drawn when the change commits, holds the
  primary's WAL position then: `espace.core.replica.replica_holds`).
- **Per request.** The CSRF token is the only per-request part of a page: it is rendered as a
  placeholder drawn for that render (the `holes` context processor), kept with the page, and each
  response gets the request's own token in its place.
- **Failures.** The cache unreachable: the page is rendered as if there were no page cache.

The view runs only on a miss, so the decorator goes below the permission check: who may see the
page is decided on every request, from the current user.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token

from espace.core import clock
from espace.core.context_processors import branding
from espace.core.panels import panel_scopes
from espace.core.replica import replica_holds, wal_position, wal_position_order

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

ESTABLISHMENT = "establishment"  # every cached page's implicit scope: the establishment's settings
SHARED = 0  # the establishment part of a shared scope's key
VERSION_PREFIX = "espace:page-version:"
PAGE_PREFIX = "espace:page:v2:"
_RENDERING = "_page_cache_placeholder"
BUMP_BATCH = 1000


def _cache() -> Any:
    return caches["pages"]


def _version_key(scope: str, establishment_id: int) -> str:
    return f"{VERSION_PREFIX}{scope}:{establishment_id}"


def page_cache_bump(scope: str, establishment_ids: Iterable[int | None]) -> None:
    """New versions for these establishments' scope (`SHARED` for a shared scope), now and again
    when the current transaction commits: their cached pages are not served again."""
    keys = [_version_key(scope, pk) for pk in {pk for pk in establishment_ids if pk is not None}]
    if keys:
        _versions_renew(keys)
        transaction.on_commit(lambda: _versions_renew(keys, committed=True))


def _versions_renew(keys: list[str], *, committed: bool = False) -> None:
    """New tokens for `keys`; once the change has committed, with the primary's WAL position (the
    change's own or later) when a replica is configured."""
    position = ""
    if committed:
        try:
            position = wal_position() or ""
        except DatabaseError:  # not known: a page read from the replica is not kept
            logger.warning("page cache: the primary's WAL position could not be read", exc_info=True)
    stamp = f"{uuid.uuid4().hex}:{position}"
    try:
        for start in range(0, len(keys), BUMP_BATCH):
            _cache().set_many(dict.fromkeys(keys[start : start + BUMP_BATCH], stamp), timeout=None)
    except Exception:
        # The pages of these scopes may be served stale until PAGE_CACHE_SECONDS: say it loudly.
        logger.exception("page cache: %d versions could not be renewed", len(keys))


def page_cache_depends(model: type[Model], scope: str, establishments: Callable[[Any], Iterable[int | None]]) -> None:
    """Every save or delete of `model` bumps `scope` for the establishments `establishments(instance)`
    names (`[SHARED]` for a shared scope). Called from the app's `ready()`."""

    def changed(sender: type[Model], instance: Any, **kwargs: Any) -> None:
        page_cache_bump(scope, establishments(instance))

    uid = f"page_cache:{model._meta.label}:{scope}"
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}:delete")


def _versions(keys: list[str], found: dict[str, Any]) -> tuple[list[str], str | None]:
    """The current token of each scope (`found`: what the cache answered; drawn when it has none)
    and the latest WAL position they hold (None when one of them holds none: not known)."""
    for key in keys:
        if key not in found:
            stamp = f"{uuid.uuid4().hex}:"  # drawn now: the change behind it is not known
            found[key] = stamp if _cache().add(key, stamp, timeout=None) else _cache().get(key, stamp)
    tokens, positions = [], []
    for key in keys:
        token, _, position = str(found[key]).partition(":")
        tokens.append(token)
        positions.append(position)
    if not all("/" in position for position in positions):  # "" or a stamp from before: not known
        return tokens, None
    return tokens, max(positions, key=wal_position_order)


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


@functools.cache
def _release() -> str:
    """A digest of what renders the pages: the code, the templates, the static files' manifest."""
    digest = hashlib.blake2b(digest_size=16)
    root = Path(settings.BASE_DIR)
    paths = [
        *root.glob("espace/**/*.py"),
        *root.glob("espace/**/*.html"),
        *root.glob("templates/**/*.html"),
        *root.glob("templates/**/*.jinja"),
    ]
    manifest = Path(settings.STATIC_ROOT or root / "nonexistent") / "staticfiles.json"
    for path in sorted([*paths, manifest]):
        if path.is_file():
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _row(obj: Any) -> tuple[object, ...]:
    """The values of a model instance's columns, as the request read them."""
    return tuple(getattr(obj, field.attname, None) for field in obj._meta.concrete_fields)


def _digest(owner: object, *parts: object) -> str:
    variant = repr((_release(), *parts, clock.today().isoformat()))
    return f"{PAGE_PREFIX}{owner}:{hashlib.blake2b(variant.encode(), digest_size=20).hexdigest()}"


def _page_key(request: HttpRequest, params: frozenset[str], colleagues: bool) -> str | None:
    """The page's key, or None when its URL has a parameter the view does not name."""
    query = request.GET
    if not params.issuperset(query):
        return None
    user: Any = request.user
    owner, viewer = (
        (f"e{user.establishment_id}", (user.is_active, tuple(user.permissions)))
        if colleagues
        else (user.pk, _row(user))
    )
    meta = request.META  # not request.headers: that builds a dict of every header, once a request
    return _digest(
        owner,
        sorted(branding(request).items()),
        request.path,
        sorted((name, query.getlist(name)) for name in query),
        meta.get("HTTP_HX_REQUEST", ""),
        meta.get("HTTP_HX_TARGET", ""),
        meta.get("HTTP_HX_BOOSTED", ""),
        viewer,
        _row(user.establishment),
    )


@dataclass(frozen=True)
class Copy:
    """A response as it was kept: its body, its type, the CSRF placeholder it holds (or ""), and
    the headers it is served with."""

    content: bytes
    content_type: str
    placeholder: str = ""
    headers: tuple[tuple[str, str], ...] = ()

    def response(self, request: HttpRequest) -> HttpResponse:
        content = _filled(self.content, self.placeholder, request) if self.placeholder else self.content
        response = HttpResponse(content, content_type=self.content_type)
        for name, value in self.headers:
            response[name] = value
        return response


@dataclass(frozen=True)
class Lookup:
    """What the cache answered for one key: the versions of its scopes now (`tokens`), the copy
    when it was kept under these very versions, and on a miss whether the page about to be made
    sees the latest change of its scopes (`settled`: false while its replica lags behind it)."""

    key: str | None
    tokens: list[str]
    copy: Copy | None
    settled: bool = True

    def keep(self, copy: Copy) -> None:
        """Keep `copy` under the versions read before it was made (a bump meanwhile left it dead),
        unless it was read from a replica that lagged behind them."""
        if self.key is None or not self.settled:
            return
        try:
            _cache().set(self.key, (self.tokens, copy), settings.PAGE_CACHE_SECONDS)
        except Exception:
            logger.exception("page cache unreachable: the page is not kept")


def page_lookup(
    key: str | None, *, establishment_id: int, scopes: Iterable[str], shared: Iterable[str]
) -> Lookup | None:
    """The versions of the establishment's `scopes` (with `ESTABLISHMENT`) and of the `shared` ones,
    and the copy under `key` if it is current, in one round trip; None when the cache is unreachable.
    Called before the page is made (on a miss, its replica's position is asked then)."""
    keys = [
        _version_key(ESTABLISHMENT, establishment_id),
        *(_version_key(scope, establishment_id) for scope in sorted(set(scopes))),
        *(_version_key(scope, SHARED) for scope in sorted(set(shared))),
    ]
    try:
        found = _cache().get_many([*keys, key] if key is not None else keys)
        tokens, position = _versions(keys, found)
    except Exception:
        logger.exception("page cache unreachable: the page is rendered")
        return None
    kept = found.get(key) if key is not None else None
    current = kept[1] if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == tokens else None
    if current is not None or key is None:
        return Lookup(key=key, tokens=tokens, copy=current)
    return Lookup(key=key, tokens=tokens, copy=None, settled=replica_holds(position))


def api_list_key(request: HttpRequest, establishment: Model) -> str:
    """The key of an API list's answer: the establishment's (every token of it reads the same list),
    the path and all of its query parameters (the API refuses unknown ones before), the
    establishment's row."""
    query = request.GET
    return _digest(
        f"api{establishment.pk}",
        request.path,
        sorted((name, query.getlist(name)) for name in query),
        _row(establishment),
    )


def _filled(content: bytes, placeholder: str, request: HttpRequest) -> bytes:
    return content.replace(placeholder.encode(), get_token(request).encode())


def page_cached(
    *scopes: str,
    shared: tuple[str, ...] = (),
    panels: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
    colleagues: bool = False,
) -> Callable[[View], View]:
    """Serve the view's page from the cache while its establishment's `scopes`, the `shared` scopes
    and those of the `panels` slots it shows (espace.core.panels) keep their versions; `params`: the
    query parameters its pages may have; `colleagues`: one copy for the users of the establishment
    who hold the same permissions (see the module's rules). Goes below the permission check."""
    allowed = frozenset(params)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            establishment_id = getattr(request.user, "establishment_id", None)
            if (
                not settings.PAGE_CACHE_SECONDS
                or establishment_id is None
                or request.method != "GET"
                or _has_messages(request)
            ):
                return view(request, *args, **kwargs)
            own, common = set(scopes), set(shared)
            for slot in panels:
                slot_own, slot_shared = panel_scopes(slot)
                own |= slot_own
                common |= slot_shared
            lookup = page_lookup(
                _page_key(request, allowed, colleagues), establishment_id=establishment_id, scopes=own, shared=common
            )
            if lookup is None:
                return view(request, *args, **kwargs)
            if lookup.copy is not None:
                return lookup.copy.response(request)
            placeholder = f"ep-csrf-{secrets.token_hex(16)}"
            setattr(request, _RENDERING, placeholder)
            try:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            finally:
                setattr(request, _RENDERING, None)
            if response.streaming or not isinstance(response, HttpResponse):
                return response
            content_type = response.get("Content-Type", "")
            if (
                response.status_code == 200
                and content_type.startswith("text/html")
                and not _has_messages(request)  # one the view added is for the next page
            ):
                lookup.keep(Copy(content=response.content, content_type=content_type, placeholder=placeholder))
            response.content = _filled(response.content, placeholder, request)
            return response

        return wrapper  # type: ignore[return-value]

    return decorator


def holes(request: HttpRequest) -> dict[str, object]:
    """Context processor: the CSRF token's placeholder while a page is rendered for the cache."""
    placeholder = getattr(request, _RENDERING, None)
    if placeholder:
        return {"csrf_token": placeholder}
    return {}
