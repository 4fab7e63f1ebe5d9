"""The staff second factor: TOTP enrolment, hashed recovery codes, one-time enrolment links.

Rules (issue « staff second-factor bypass »):
- a staff member who has any confirmed device (TOTP or recovery codes) passes it at every login;
  enrolling a new authenticator then happens only from inside the back office, after that factor;
- a staff member with no device at all enrols only through a one-time link (24 h) made by the
  operator command `staff_enrolment_link`, opened in the same browser before the password.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.enums import AuditAction as AccountsAuditAction
from espace.accounts.models import User, secret_digest
from espace.accounts.second_factor import (
    has_second_factor,
    recovery_codes_issue,
    second_factor_remove,
    second_factor_verify,
    totp_confirm,
)
from espace.backoffice.enums import AuditAction
from espace.backoffice.models import StaffEnrolmentLink
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError

ENROLMENT_LINK_VALIDITY = timedelta(hours=24)


def staff_has_second_factor(user: User) -> bool:
    return has_second_factor(user)


@transaction.atomic
def staff_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts the code (TOTP or a recovery code, used once), or None."""
    device = second_factor_verify(user=user, token=token)
    if device is None:
        audit_record(action=AuditAction.STAFF_OTP_FAILED, target=user)
    return device


def recovery_codes_renew(*, user: User) -> list[str]:
    """« Mon second facteur »: new recovery codes in place of the old ones, recorded in the journal."""
    codes = recovery_codes_issue(user=user)
    audit_record(action=AuditAction.STAFF_RECOVERY_CODES_ISSUED, actor=user, target=user)
    return codes


def staff_login_record(*, user: User) -> None:
    """A staff login completed (password and second factor)."""
    audit_record(
        action=AccountsAuditAction.LOGIN_SUCCEEDED, actor=user, target=user, details={"entrance": "back-office"}
    )


@transaction.atomic
def totp_enrol_confirm(
    *,
    user: User,
    device: TOTPDevice,
    token: str,
    link: StaffEnrolmentLink | None = None,
) -> list[str] | None:
    """Confirm the authenticator with its first code (`totp_confirm`). Returns the recovery codes,
    or None when the code is wrong.

    A first enrolment consumes its one-time link in the same transaction: a link used meanwhile
    undoes the confirmation.
    """
    codes = totp_confirm(user=user, device=device, token=token)
    if codes is None:
        return None
    if link is not None and not enrolment_link_use(link=link):
        raise ApplicationError("Ce lien d'enrôlement a déjà servi ou a expiré. Demandez-en un nouveau.")
    audit_record(action=AuditAction.STAFF_OTP_ENROLLED, actor=user, target=user)
    return codes


@transaction.atomic
def enrolment_link_create(*, user: User, reset: bool = False) -> tuple[str, StaffEnrolmentLink]:
    """A one-time enrolment link for a staff member with no second factor (24 h, single use).

    With `reset`, the member's devices are removed first (lost phone and lost codes).
    Returns the absolute URL (shown once) and the link row.
    """
    if not user.is_staff:
        raise ApplicationError("Ce compte n'appartient pas aux équipes du prêteur.")
    if reset:
        second_factor_remove(user)
    elif staff_has_second_factor(user):
        raise ApplicationError(
            "Ce compte a déjà un second facteur : il se renouvelle depuis le back-office, après connexion "
            "(ou relancez la commande avec --reset si le téléphone et les codes de secours sont perdus)."
        )
    StaffEnrolmentLink.objects.filter(user=user, used_at__isnull=True).update(expires_at=clock.now())
    token = secrets.token_urlsafe(32)
    link = StaffEnrolmentLink.objects.create(
        user=user, digest=secret_digest(token), expires_at=clock.now() + ENROLMENT_LINK_VALIDITY
    )
    audit_record(
        action=AuditAction.STAFF_ENROLMENT_LINK_CREATED,
        target=user,
        details={"expires_at": link.expires_at.isoformat(), "reset": reset},
    )
    path = reverse("backoffice:enrolment_link", kwargs={"token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}", link


def enrolment_link_find(token: str) -> StaffEnrolmentLink | None:
    link = StaffEnrolmentLink.objects.select_related("user").filter(digest=secret_digest(token)).first()
    return link if link is not None and link.is_usable else None


@transaction.atomic
def enrolment_link_use(*, link: StaffEnrolmentLink) -> bool:
    """Consume the link (single use); False when it was used or expired meanwhile."""
    return bool(
        StaffEnrolmentLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=clock.now()).update(
            used_at=clock.now()
        )
    )
