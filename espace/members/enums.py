from django.db import models


class ReviewDecision(models.TextChoices):
    KEPT = "kept", "conservé"
    CHANGED = "changed", "habilitations modifiées"
    DEACTIVATED = "deactivated", "désactivé"
    SUSPENDED = "suspended", "suspendu (non confirmé dans les 30 jours)"
    LEFT = "left", "n'est plus actif"


class AuditAction(models.TextChoices):
    MEMBER_ACTIVATED = "member_activated", "Utilisateur activé"
    MEMBER_PERMISSIONS_CHANGED = "member_permissions_changed", "Habilitations modifiées"
    MEMBER_DEACTIVATED = "member_deactivated", "Utilisateur désactivé"
    MEMBER_REACTIVATED = "member_reactivated", "Utilisateur réactivé"
    VALIDATION_REMINDER_SENT = "validation_reminder_sent", "Rappel de validation envoyé"
    SETTINGS_CHANGED = "establishment_settings_changed", "Paramètres de l'établissement modifiés"
    ACCESS_REVIEW_OPENED = "access_review_opened", "Revue des accès ouverte"
    ACCESS_REVIEW_COMPLETED = "access_review_completed", "Revue des accès terminée"
    ACCESS_REVIEW_CLOSED = "access_review_closed", "Revue des accès close à l'échéance"
    MEMBER_SUSPENDED = "member_suspended", "Utilisateur suspendu (revue des accès)"
    MEMBER_SECOND_FACTOR_RESET = "member_second_factor_reset", "Double authentification réinitialisée"
