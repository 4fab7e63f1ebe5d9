"""The second factor of every user, client or staff: a TOTP app (django-otp) and hashed recovery codes.

Rules:
- a user with a confirmed factor passes it at every login (`LoginStep.SECOND_FACTOR`), with the
  app's code, a recovery code, or a passkey (`espace.accounts.passkeys`, added once the app is set up);
- a client user whose establishment's policy requires it (for everyone, or for its validators and
  administrators) and who has none enrols before the session opens (`LoginStep.ENROL`);
- anyone may enrol from « Mon compte » → « Double authentification »; removing it there is refused
  while the policy requires it;
- a lost phone: a recovery code, used once; without them, the administrator resets a colleague's
  factor from the « fiche d'identité » and the lender's assistance resets an administrator's
  (`espace.members.services.member_second_factor_reset`). Every step is in the journal.

The staff's own rules (first enrolment only through an operator's link) are in
`espace.backoffice.second_factor`, on top of these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from espace.accounts.enums import AuditAction, Permission
from espace.accounts.login import password_confirm, session_start
from espace.accounts.models import RecoveryCode, RecoveryCodeDevice, User, recovery_code_generate, secret_digest
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.establishments.enums import SecondFactorPolicy

TOTP_DEVICE_NAME = "Application d'authentification"
PENDING_KEY = "second_factor_pending"


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def has_totp(user: User) -> bool:
    """The authenticator app is set up (recovery codes and passkeys come after it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user: User) -> bool:
    """Whether the user's establishment requires a second factor of this user."""
    establishment = user.establishment
    if establishment is None:
        return False
    policy = establishment.second_factor_policy
    if policy == SecondFactorPolicy.ALL:
        return True
    if policy == SecondFactorPolicy.PRIVILEGED:
        return user.is_establishment_admin or user.has_permission(Permission.VALIDATE_LOAN_REQUESTS)
    return False


@dataclass(frozen=True)
class SecondFactorState:
    """What « Mon compte » and the « fiche d'identité » show."""

    totp: bool
    recovery_codes_left: int
    required: bool
    passkeys: tuple[WebAuthnCredential, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.totp or self.recovery_codes_left > 0


def second_factor_state(user: User) -> SecondFactorState:
    return SecondFactorState(
        totp=has_totp(user),
        recovery_codes_left=RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count(),
        required=second_factor_required(user),
        passkeys=tuple(passkeys_of(user)),
    )


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at"))


@transaction.atomic
def second_factor_verify(*, user: User, token: str) -> Device | None:
    """The device that accepts the code (TOTP, or a recovery code used once), or None.

    The devices are locked while checked, so a code cannot serve twice in parallel requests;
    each device's own throttling slows down guessing (django-otp).
    """
    cleaned = "".join(token.split())
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(cleaned):
            return device
    return None


@transaction.atomic
def recovery_codes_issue(*, user: User, codes: list[str] | None = None) -> list[str]:
    """Replace the user's recovery codes; the clear codes are returned once, only digests are kept."""
    codes = codes or [recovery_code_generate() for _index in range(settings.RECOVERY_CODES_COUNT)]
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, digest=secret_digest(code)) for code in codes])
    return codes


def totp_pending_device(user: User) -> TOTPDevice:
    """The not-yet-confirmed authenticator being set up (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_setup(device: TOTPDevice) -> dict[str, str]:
    """The QR code (an inline SVG, no request to anyone) and the key typed by hand, in groups of 4."""
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return {"qr": qr, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))}


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with its first code: it replaces any previous one, and new
    recovery codes replace the old ones. Returns the recovery codes, or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token("".join(token.split())):
        return None  # the failed try stays counted by the device's throttling
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_issue(user=user)


def second_factor_remove(user: User) -> int:
    """Delete every device of the user (confirmed or being set up); returns how many."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


# --- Client users -----------------------------------------------------------------------------


def _notice(user: User, template: str, **context: object) -> None:
    email_enqueue(
        template=template,
        to=[user.email],
        context={"first_name": user.first_name, "username": user.username, **context},
    )


@transaction.atomic
def client_second_factor_verify(*, user: User, token: str) -> Device | None:
    """The login's second step. A recovery code that served is told to the user by e-mail, with
    how many are left; a wrong code is in the journal."""
    device = second_factor_verify(user=user, token=token)
    if device is None:
        audit_record(action=AuditAction.SECOND_FACTOR_FAILED, target=user)
        return None
    if isinstance(device, RecoveryCodeDevice):
        left = device.codes.count()
        audit_record(action=AuditAction.RECOVERY_CODE_USED, actor=user, target=user, details={"left": left})
        _notice(user, "recovery_code_used", left=left)
    return device


@transaction.atomic
def client_totp_enrol(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    codes = totp_confirm(user=user, device=device, token=token)
    if codes is not None:
        audit_record(action=AuditAction.SECOND_FACTOR_ENROLLED, actor=user, target=user)
        _notice(user, "second_factor_enrolled")
    return codes


@transaction.atomic
def client_recovery_codes_renew(*, user: User) -> list[str]:
    if not has_totp(user):
        raise ApplicationError("Enregistrez d'abord votre application d'authentification.")
    codes = recovery_codes_issue(user=user)
    audit_record(action=AuditAction.RECOVERY_CODES_ISSUED, actor=user, target=user)
    return codes


@transaction.atomic
def client_passkey_added(*, user: User, device: WebAuthnCredential) -> None:
    audit_record(action=AuditAction.PASSKEY_ADDED, actor=user, target=user, details={"name": device.name})
    _notice(user, "passkey_added", name=device.name)


@transaction.atomic
def client_passkey_remove(*, user: User, passkey_id: int) -> str:
    """« Supprimer » a passkey of one's own (another's is not found); returns its name."""
    device = WebAuthnCredential.objects.select_for_update().filter(pk=passkey_id, user=user).first()
    if device is None:
        raise ApplicationError("Cette clé d'accès n'existe pas ou a déjà été supprimée.")
    name = device.name
    device.delete()
    audit_record(action=AuditAction.PASSKEY_REMOVED, actor=user, target=user, details={"name": name})
    _notice(user, "passkey_removed", name=name)
    return name


@transaction.atomic
def client_second_factor_disable(*, user: User, password: str) -> None:
    """« Désactiver la double authentification », with the current password; refused while the
    establishment's policy requires it."""
    if second_factor_required(user):
        raise ApplicationError(
            "La politique de sécurité de votre établissement impose la double authentification : elle ne peut "
            "pas être désactivée."
        )
    password_confirm(user=user, password=password, field="password")
    if second_factor_remove(user):
        audit_record(action=AuditAction.SECOND_FACTOR_DISABLED, actor=user, target=user)
        _notice(user, "second_factor_disabled")


# --- The login's second step (clients) --------------------------------------------------------


class PendingLogin(TypedDict):
    """The session's record of a user past the password, before the second factor."""

    user: int  # pk
    at: str  # ISO 8601: when the password was accepted


def login_proceed(request: HttpRequest, user: User) -> str:
    """After the password (or the first login's new password): open the session, or hold it for
    the second factor. Returns the name of the page to go to."""
    enrolled = has_second_factor(user)
    if not enrolled and not second_factor_required(user):
        session_start(request, user)
        return "accounts:home"
    request.session.cycle_key()
    request.session[PENDING_KEY] = PendingLogin(user=user.pk, at=clock.now().isoformat())
    return "accounts:second_factor" if enrolled else "accounts:second_factor_enrol"


def pending_user(request: HttpRequest) -> User | None:
    """The user held between the password and the second factor, for 10 minutes at most."""
    pending: PendingLogin | None = request.session.get(PENDING_KEY)
    if not pending or clock.now() - datetime.fromisoformat(pending["at"]) > settings.SECOND_FACTOR_STEP_WINDOW:
        return None
    return User.objects.select_related("establishment").filter(pk=pending["user"], is_staff=False).first()


def session_device_keep(request: HttpRequest, user: User) -> None:
    """After users changed their own factor (new recovery codes, a passkey removed, switched off),
    their session stays open, verified by a device that remains, or by none. (A session whose
    device someone else removed ends: `SessionLifetimeMiddleware`.)"""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if persistent_id and Device.from_persistent_id(persistent_id) is None:
        device = next(iter(devices_for_user(user, confirmed=True)), None)
        if device is None:
            del request.session[DEVICE_ID_SESSION_KEY]
        else:
            otp_login(request, device)


def login_complete(request: HttpRequest, user: User, device: Device) -> None:
    """The second factor passed: the session opens, verified by this device."""
    request.session.pop(PENDING_KEY, None)
    session_start(request, user)
    otp_login(request, device)
