"""Back-office data: the permissions staff roles hold, the second factor's recovery codes, enrolment links."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from espace.backoffice.enums import StaffPermission
from espace.core import clock

RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 16  # 16 characters of a 31-letter alphabet: 79 bits, so a plain digest is safe


class BackOfficeAccess(models.Model):
    """No table: carries the back-office permissions that the staff roles (groups) hold."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = tuple((permission.value, permission.label) for permission in StaffPermission)

    def __str__(self) -> str:
        return "Accès back-office"


def secret_digest(value: str) -> str:
    """SHA-256 of a high-entropy secret as typed (case, spaces and dashes ignored)."""
    normalized = "".join(ch for ch in value.lower() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def recovery_code_generate() -> str:
    code = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """Single-use recovery codes of a staff member, stored as digests.

    django-otp's static device keeps its codes in clear; this one keeps only their SHA-256.
    """

    class Meta:
        verbose_name = "codes de secours"
        verbose_name_plural = "codes de secours"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: str) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        deleted, _ = self.codes.filter(digest=secret_digest(str(token))).delete()
        if deleted:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, related_name="codes", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, db_index=True)

    def __str__(self) -> str:
        return f"code de secours {self.pk}"


class StaffEnrolmentLink(models.Model):
    """A one-time link (24 h) that lets a staff member without any second factor enrol one.

    Made by the operator command `staff_enrolment_link`; only its digest is stored.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lien d'enrôlement {self.pk}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > clock.now()
