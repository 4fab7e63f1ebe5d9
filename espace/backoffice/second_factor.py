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
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.enums import AuditAction as AccountsAuditAction
from espace.accounts.models import User
from espace.backoffice.enums import AuditAction
from espace.backoffice.models import (
    RecoveryCode,
    RecoveryCodeDevice,
    StaffEnrolmentLink,
    recovery_code_generate,
    secret_digest,
)
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError

ENROLMENT_LINK_VALIDITY = timedelta(hours=24)
TOTP_DEVICE_NAME = "Application d'authentification"


def staff_has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def staff_devices(user: User) -> list[Device]:
    return list(devices_for_user(user, confirmed=True, for_verify=True))


@transaction.atomic
def staff_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts the code (TOTP or a recovery code, used once), or None.

    The devices are locked while checked, so a code cannot be used twice by parallel requests.
    """
    cleaned = "".join(token.split())
    for device in staff_devices(user):
        if device.verify_token(cleaned):
            return device
    audit_record(action=AuditAction.STAFF_OTP_FAILED, target=user)
    return None


@transaction.atomic
def recovery_codes_issue(*, user: User, codes: list[str] | None = None) -> list[str]:
    """Replace the staff member's recovery codes; the clear codes are returned once, only digests are kept."""
    codes = codes or [recovery_code_generate() for _index in range(settings.STAFF_RECOVERY_CODES)]
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=secret_digest(code)) for code in codes])
    return codes


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


def totp_pending_device(user: User) -> TOTPDevice:
    """The not-yet-confirmed authenticator being set up (one per staff member)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrol_confirm(
    *,
    user: User,
    device: TOTPDevice,
    token: str,
    link: StaffEnrolmentLink | None = None,
) -> list[str] | None:
    """Confirm the authenticator with its first code: it replaces any previous one, and new recovery
    codes replace the old ones. Returns the recovery codes, or None when the code is wrong.

    A first enrolment consumes its one-time link in the same transaction.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token("".join(token.split())):
        return None  # the failed try stays counted by the device's throttling
    if link is not None and not enrolment_link_use(link=link):
        raise ApplicationError("Ce lien d'enrôlement a déjà servi ou a expiré. Demandez-en un nouveau.")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user=user)
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
        for device in devices_for_user(user, confirmed=None):
            device.delete()
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
