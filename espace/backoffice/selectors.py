"""Reads of the back-office screens: a constant number of queries whatever the establishment's size."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum

from espace.accounts.models import User
from espace.accounts.selectors import locked_usernames, second_factor_holders
from espace.core.models import AuditEvent
from espace.establishments.models import Establishment
from espace.establishments.selectors import establishments_search, normalize_client_number
from espace.letters.enums import LetterStatus
from espace.letters.models import Letter
from espace.portfolio.selectors import direct_lines, guaranteed_lines
from espace.support.enums import ContactStatus
from espace.support.models import ContactRequest


@dataclass(frozen=True)
class Dashboard:
    results: list[Establishment]
    pending_letters: int
    new_requests: int


def dashboard_for(query: str) -> Dashboard:
    return Dashboard(
        results=list(establishments_search(query)) if query else [],
        pending_letters=Letter.objects.filter(status=LetterStatus.PENDING, superseded=False).count(),
        new_requests=ContactRequest.objects.filter(status=ContactStatus.NEW).count(),
    )


@dataclass(frozen=True, slots=True)
class PortfolioFigures:
    lines: int  # direct debt
    outstanding: Decimal | None  # None: no line
    guaranteed: int  # lines the establishment guarantees


@dataclass(frozen=True)
class EstablishmentPage:
    establishment: Establishment
    portfolio: PortfolioFigures
    users: Page[User]
    locked: set[str]
    second_factor: set[int]  # pks of the users with a second factor
    letters: QuerySet[Letter]
    events: QuerySet[AuditEvent]
    requests: QuerySet[ContactRequest]


USERS_PER_PAGE = 50


def establishment_page(establishment: Establishment, *, users_page: str | int | None = 1) -> EstablishmentPage:
    """The establishment with a page of its users (locks shown), letters, contact requests and audit trail."""
    users = Paginator(establishment.users.order_by("status", "last_name", "first_name", "pk"), USERS_PER_PAGE)
    page = users.get_page(users_page)
    direct = direct_lines(establishment).aggregate(lines=Count("pk"), outstanding=Sum("outstanding"))
    return EstablishmentPage(
        establishment=establishment,
        portfolio=PortfolioFigures(
            lines=direct["lines"], outstanding=direct["outstanding"], guaranteed=guaranteed_lines(establishment).count()
        ),
        users=page,
        locked=locked_usernames(list(page)),
        second_factor=second_factor_holders(list(page)),
        letters=establishment.letters.select_related("account_holder")[:20],
        events=AuditEvent.objects.filter(establishment=establishment).order_by("-occurred_at", "-pk")[:50],
        requests=ContactRequest.objects.filter(establishment=establishment)[:20],
    )


def contact_requests_filtered(*, team: str = "", status: str = "", query: str = "") -> QuerySet[ContactRequest]:
    """The contact queue: by team, status, and a reference, an establishment name or a client number."""
    requests = ContactRequest.objects.select_related("establishment", "regional_office").order_by("-created_at")
    if team:
        requests = requests.filter(team=team)
    if status:
        requests = requests.filter(status=status)
    if query:
        requests = requests.filter(
            Q(reference__iexact=query)
            | Q(organisation__icontains=query)
            | Q(client_number=normalize_client_number(query) or query)
        )
    return requests
