from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from espace.accounts.enums import UserStatus
from espace.accounts.models import LIVE_STATUSES, User
from espace.accounts.selectors import establishment_has_administrator
from espace.core import clock
from espace.establishments.models import Establishment
from espace.registration.enums import RegistrationKind
from espace.registration.models import Registration


def first_user_pending(establishment: Establishment) -> bool:
    """A first user waits for the letter's code, and the code has not expired."""
    return User.objects.filter(
        establishment=establishment, status=UserStatus.AWAITING_ACTIVATION, temporary_code_expires_at__gt=clock.now()
    ).exists()


def registration_kind_for(establishment: Establishment) -> RegistrationKind:
    """CAS 1 when nobody holds or awaits the administrator role, CAS 2 otherwise."""
    if first_user_pending(establishment) or establishment_has_administrator(establishment):
        return RegistrationKind.MEMBER
    return RegistrationKind.ADMINISTRATOR


def open_registrations() -> QuerySet[Registration]:
    return Registration.objects.filter(completed_at__isnull=True, expires_at__gt=clock.now())


def identifier_taken(username: str, *, exclude_registration: Registration | None = None) -> bool:
    lowered = username.strip().lower()
    # Client identifiers only: lender staff have a namespace of their own, never revealed here.
    # A first user whose temporary code expired no longer holds the identifier (it lapses).
    holders = User.objects.annotate(u=Lower("username")).filter(u=lowered, status__in=LIVE_STATUSES, is_staff=False)
    expired = Q(status=UserStatus.AWAITING_ACTIVATION, temporary_code_expires_at__lte=clock.now())
    if holders.exclude(expired).exists():
        return True
    reservations = open_registrations().annotate(u=Lower("username")).filter(u=lowered)
    if exclude_registration is not None:
        reservations = reservations.exclude(pk=exclude_registration.pk)
    return reservations.exists()
