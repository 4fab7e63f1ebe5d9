from __future__ import annotations

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.enums import Permission
from espace.accounts.models import LoginGuard, RecoveryCodeDevice, User, guard_key
from espace.core import clock
from espace.establishments.models import Establishment


def establishment_admins(establishment: Establishment) -> QuerySet[User]:
    """Active users of the establishment holding « Administration » (one query, an indexed column)."""
    return User.objects.holding(Permission.ADMINISTER_USERS).active().filter(establishment=establishment)


def establishment_has_administrator(establishment: Establishment) -> bool:
    return establishment_admins(establishment).exists()


def users_holding(establishment: Establishment, permission: Permission) -> QuerySet[User]:
    """Active users of the establishment who hold the permission (e.g. the validators to notify)."""
    return User.objects.holding(permission).active().filter(establishment=establishment)


def guard_is_locked(guard: LoginGuard) -> bool:
    """The lock rule of SECURITY.md: until a reset (second lock within 24 h), or for the hour."""
    return guard.requires_reset or (guard.locked_until is not None and guard.locked_until > clock.now())


def second_factor_holders(users: list[User]) -> set[int]:
    """Which of these users have a confirmed second factor (one query per kind of device)."""
    pks = [u.pk for u in users]
    totp = TOTPDevice.objects.filter(user_id__in=pks, confirmed=True).values_list("user_id", flat=True)
    codes = RecoveryCodeDevice.objects.filter(user_id__in=pks, confirmed=True).values_list("user_id", flat=True)
    return set(totp) | set(codes)


def locked_usernames(users: list[User]) -> set[str]:
    """Which of these users are locked out right now (one query for the whole list)."""
    keys = {guard_key(u.username, staff=u.is_staff): u.username for u in users}
    return {
        keys[guard.identifier] for guard in LoginGuard.objects.filter(identifier__in=keys) if guard_is_locked(guard)
    }
