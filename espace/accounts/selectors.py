from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower

from espace.accounts.enums import Permission, RegistrationKind, UserStatus
from espace.accounts.models import LIVE_STATUSES, Registration, User
from espace.core import clock
from espace.establishments.models import Establishment


def establishment_admins(establishment: Establishment) -> list[User]:
    """Active users of the establishment holding « Administration »."""
    users = User.objects.filter(establishment=establishment, status=UserStatus.ACTIVE)
    return [user for user in users if Permission.ADMINISTER_USERS.value in user.permissions]


def registration_kind_for(establishment: Establishment) -> RegistrationKind:
    """CAS 1 when nobody holds or awaits the administrator role, CAS 2 otherwise."""
    if User.objects.filter(establishment=establishment, status=UserStatus.AWAITING_ACTIVATION).exists():
        return RegistrationKind.MEMBER
    if establishment_admins(establishment):
        return RegistrationKind.MEMBER
    return RegistrationKind.ADMINISTRATOR


def open_registrations() -> QuerySet[Registration]:
    return Registration.objects.filter(completed_at__isnull=True, expires_at__gt=clock.now())


def identifier_taken(username: str, *, exclude_registration: Registration | None = None) -> bool:
    lowered = username.strip().lower()
    # Client identifiers only: lender staff have a namespace of their own, never revealed here.
    if User.objects.annotate(u=Lower("username")).filter(u=lowered, status__in=LIVE_STATUSES, is_staff=False).exists():
        return True
    reservations = open_registrations().annotate(u=Lower("username")).filter(u=lowered)
    if exclude_registration is not None:
        reservations = reservations.exclude(pk=exclude_registration.pk)
    return reservations.exists()
