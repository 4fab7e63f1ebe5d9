"""The client's address, as the per-IP limits and the audit journal need it.

Behind reverse proxies every request comes from the nearest proxy. With
`TRUSTED_PROXY_COUNT = N`, the last N addresses of the chain `X-Forwarded-For + REMOTE_ADDR`
are our own proxies and the address just before them is the client. Anything a client writes
further left in `X-Forwarded-For` is ignored, so it cannot choose its own address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops or remote is None:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]
    candidate = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    return candidate if _valid(candidate) else remote


def is_loopback(request: HttpRequest) -> bool:
    """A request from this machine itself (the demo mailbox answers nobody else)."""
    address = client_ip(request)
    if not address or not _valid(address):
        return False
    return ipaddress.ip_address(address).is_loopback
