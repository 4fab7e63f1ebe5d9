"""Where the current request comes from (the client's address and user agent), for the audit trail
and the per-address limits, so that services never take the HTTP request (HTTP stays in views).

RequestOriginMiddleware sets it for each request, from espace.core.net.client_ip (which trusts
TRUSTED_PROXY_COUNT proxies). Tasks and commands have no origin: their audit rows carry no address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from espace.core.net import client_ip

USER_AGENT_MAX = 300


@dataclass(frozen=True, slots=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


NOWHERE = Origin()
_origin: ContextVar[Origin] = ContextVar("origin", default=NOWHERE)


def current_origin() -> Origin:
    return _origin.get()


def current_ip() -> str | None:
    return _origin.get().ip


@contextmanager
def origin_scope(origin: Origin) -> Iterator[Origin]:
    """Act as if from `origin` (tests, and code serving a request outside the middleware)."""
    token = _origin.set(origin)
    try:
        yield origin
    finally:
        _origin.reset(token)


def origin_of(request: HttpRequest) -> Origin:
    return Origin(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX])


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with origin_scope(origin_of(request)):
            return self.get_response(request)
