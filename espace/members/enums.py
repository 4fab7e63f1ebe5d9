from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    MEMBER_ACTIVATED = "member_activated", _("Utilisateur activé")
    MEMBER_PERMISSIONS_CHANGED = "member_permissions_changed", _("Habilitations modifiées")
    MEMBER_DEACTIVATED = "member_deactivated", _("Utilisateur désactivé")
    MEMBER_REACTIVATED = "member_reactivated", _("Utilisateur réactivé")
    VALIDATION_REMINDER_SENT = "validation_reminder_sent", _("Rappel de validation envoyé")
    SETTINGS_CHANGED = "establishment_settings_changed", _("Paramètres de l'établissement modifiés")
