from django.db import models

from espace.backoffice.roles import BACKOFFICE_PERMISSIONS


class BackOfficeAccess(models.Model):
    """No table: carries the back-office permissions that the staff roles (groups) hold."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = tuple(BACKOFFICE_PERMISSIONS)

    def __str__(self) -> str:
        return "Accès back-office"
