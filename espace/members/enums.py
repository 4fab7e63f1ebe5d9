from django.db import models


class AuditAction(models.TextChoices):
    MEMBER_ACTIVATED = "member_activated", "Utilisateur activé"
    MEMBER_PERMISSIONS_CHANGED = "member_permissions_changed", "Habilitations modifiées"
    MEMBER_DEACTIVATED = "member_deactivated", "Utilisateur désactivé"
    MEMBER_REACTIVATED = "member_reactivated", "Utilisateur réactivé"
    VALIDATION_REMINDER_SENT = "validation_reminder_sent", "Rappel de validation envoyé"
    SETTINGS_CHANGED = "establishment_settings_changed", "Paramètres de l'établissement modifiés"
