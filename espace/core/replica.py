"""Reading from a PostgreSQL replica (DATABASE_REPLICA_URL), for the heavy read-only pages only.

The rules, so that nobody ever sees stale data about themselves:
- every write goes to the primary (`default`); nothing is ever written to the replica;
- a read goes to the replica only inside a view marked `@reads_from_replica` (loans lists, dossiers
  list, library, exports) or an API GET, only for the domain data of REPLICA_APPS (never users,
  sessions, permissions, tokens, throttles, audit: those decide who may see what and must be
  current), only on GET/HEAD, outside any transaction, and only while the request has written no
  domain data;
- a browser whose request wrote domain data reads from the primary for DATABASE_REPLICA_PIN_SECONDS
  after it (a cookie that only routes reads: forging it only costs the primary a few reads), so a
  user sees their own change at the next request even while the replica lags.

Without DATABASE_REPLICA_URL nothing here changes a query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "espace_primaire"
# Data that only changes by the lender's imports or by the establishments' own requests (not the
# establishments themselves: whether one is active decides what its users may do).
REPLICA_APPS = frozenset({"portfolio", "loan_requests", "documents", "products"})
SAFE_METHODS = frozenset({"GET", "HEAD"})

_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote", default=False)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica(view: View) -> View:
    """Mark a read-only view whose domain reads may come from the replica (see the module's rules)."""
    # A function attribute, read by ReplicaMiddleware.process_view (functools.wraps carries it to
    # any decorator put above this one).
    view.__dict__["reads_from_replica"] = True
    return view


def _domain_reads_on_replica() -> bool:
    """Whether the router sends this request's reads of REPLICA_APPS to the replica now."""
    return (
        _replica_allowed.get()
        and not _wrote.get()
        and not connections["default"].in_atomic_block
        and replica_configured()
    )


def wal_position() -> str | None:
    """The primary's current WAL position (a pg_lsn, as text) when a replica is configured: what a
    replica must have replayed to show every change committed so far."""
    if not replica_configured():
        return None
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def wal_position_order(position: str) -> int:
    """A pg_lsn's text ("16/B374D848") as a number, to compare two of them."""
    high, _, low = position.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def replica_holds(position: str | None) -> bool:
    """Whether this request's domain reads see every change the primary had committed at `position`
    (None: not known, taken as the primary's position now). Always when they go to the primary; on
    the replica, asked of it (a standby that has replayed that far). Asked before the reads: a
    standby only ever moves forward."""
    if not _domain_reads_on_replica():
        return True
    try:
        position = position or wal_position()
        with connections[REPLICA].cursor() as cursor:
            # NULL on a server that is not a standby (a "replica" that is the primary itself).
            cursor.execute("SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, TRUE)", [position])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("replica: its replay position could not be read", exc_info=True)
        return False


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return REPLICA if model._meta.app_label in REPLICA_APPS and _domain_reads_on_replica() else "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        if model._meta.app_label in REPLICA_APPS:
            _wrote.set(True)  # the rest of this request, and the next ones for a while, read what it wrote
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # one database seen twice

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


class ReplicaMiddleware:
    """Opens the replica to the marked views (and the API's GETs) of browsers that have not just
    written, and pins to the primary a browser whose request wrote domain data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed  # no replica: not even a function call per request
        self.get_response = get_response
        self.pin_seconds = settings.DATABASE_REPLICA_PIN_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        wrote = _wrote.set(False)
        allowed = _replica_allowed.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get():
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=self.pin_seconds,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
            elif _replica_allowed.get() and isinstance(response, StreamingHttpResponse):
                # An export is read while it is sent, after the view has returned (our exports
                # stream synchronously: an async stream would be read by another task).
                content = response.streaming_content
                if isinstance(content, Iterator):
                    response.streaming_content = _from_replica(content)
            return response
        finally:
            _replica_allowed.reset(allowed)
            _wrote.reset(wrote)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> None:
        if request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES:
            return
        if getattr(view, "reads_from_replica", False) or request.path.startswith("/api/v1/"):
            _replica_allowed.set(True)


def _from_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    _replica_allowed.set(True)
    try:
        yield from chunks
    finally:
        _replica_allowed.set(False)
