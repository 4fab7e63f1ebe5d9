"""Back-office data: the permissions staff roles hold, the staff's one-time enrolment links.

The recovery codes of the second factor live in `espace.accounts` (clients have them too)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from espace.backoffice.enums import StaffPermission
from espace.core import clock


class BackOfficeAccess(models.Model):
    """No table: carries the back-office permissions that the staff roles (groups) hold."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = tuple((permission.value, permission.label) for permission in StaffPermission)

    def __str__(self) -> str:
        return "Accès back-office"


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
