"""Reads of the client registry that several screens share."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from espace.establishments.models import Establishment


def normalize_client_number(raw: str) -> str:
    """Users type the number without leading zeros; letters print them. Both are accepted.

    Returns "" when the text is not a number at all.
    """
    value = "".join(raw.split())
    if not value.isdigit():
        return ""
    return value.lstrip("0")


def establishment_by_client_number(raw: str, *, active_only: bool = True) -> Establishment | None:
    number = normalize_client_number(raw)
    if not number:
        return None
    establishments = Establishment.objects.filter(client_number=number)
    if active_only:
        establishments = establishments.filter(is_active=True)
    return establishments.select_related("regional_office").first()


def establishments_search(query: str, *, limit: int = 50) -> QuerySet[Establishment]:
    """The back office's search: a client number (zeros accepted), or part of the name or the city."""
    number = normalize_client_number(query)
    condition = Q(legal_name__icontains=query) | Q(city__icontains=query)
    if number:
        condition |= Q(client_number=number)
    return Establishment.objects.filter(condition).annotate(user_count=Count("users")).order_by("legal_name")[:limit]
