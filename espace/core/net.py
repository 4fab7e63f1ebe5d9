"""The client's address, as the per-IP limits and the audit journal need it.

Behind reverse proxies every request comes from the nearest proxy. With
`TRUSTED_PROXY_COUNT = N`, the last N addresses of the chain `X-Forwarded-For + REMOTE_ADDR`
are our own proxies and the address just before them is the client. Anything a client writes
further left in `X-Forwarded-For` is ignored, so it cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from espace.core.exceptions import ApplicationError

MAX_NETWORKS = 20


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


def networks_parse(raw: list[str], *, field: str = "allowed_networks") -> list[str]:
    """Addresses or networks in CIDR notation, normalised ("192.0.2.1" → "192.0.2.1/32"): the
    allow-lists of API tokens and of an establishment's security policy."""
    networks: list[str] = []
    for item in raw:
        value = item.strip()
        if not value:
            continue
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ApplicationError(
                f"« {value[:60]} » n'est pas une adresse IP ni un réseau (ex. 203.0.113.10 ou 203.0.113.0/24).",
                field=field,
            ) from None
        if str(network) not in networks:
            networks.append(str(network))
    if len(networks) > MAX_NETWORKS:
        raise ApplicationError(f"Indiquez au plus {MAX_NETWORKS} adresses ou réseaux.", field=field)
    return networks


@lru_cache(maxsize=1024)
def _networks(networks: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network) for network in networks)


def address_allowed(address: str | None, networks: list[str]) -> bool:
    """Whether `address` is inside one of `networks` (an empty list allows every address)."""
    if not networks:
        return True
    if address is None or not _valid(address):
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(tuple(networks)))
