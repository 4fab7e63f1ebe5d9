from django.db import models

from espace.accounts.enums import Permission


class NotificationKind(models.TextChoices):
    """What a user may choose to be told by e-mail (« Mes notifications »)."""

    VALIDATION_WAITING = "validation_waiting", "Une demande de prêt attend ma validation"
    DOCUMENTS_REQUESTED = "documents_requested", "La direction régionale demande des documents sur un dossier"
    DOSSIER_STATUS = "dossier_status", "Le statut d'un dossier a changé"
    INSTALMENT_DUE = "instalment_due", "Une échéance arrive dans 30 jours (montant et date)"
    DISBURSEMENT_DECIDED = "disbursement_decided", "Une modification d'échéancier de versement est décidée"
    NEW_DOCUMENT = "new_document", "Un nouveau document est dans notre bibliothèque"
    COLLEAGUE_WAITING = (
        "colleague_waiting",
        "Un collègue attend ma validation (administrateurs), avec un rappel à 7 jours",
    )


# The permissions that entitle a user to each kind (any of them), checked again when the mail goes:
# a user who lost the permission meanwhile is not told.
KIND_PERMISSIONS: dict[str, tuple[Permission, ...]] = {
    NotificationKind.VALIDATION_WAITING: (Permission.VALIDATE_LOAN_REQUESTS,),
    NotificationKind.DOCUMENTS_REQUESTED: (
        Permission.CREATE_LOAN_REQUESTS,
        Permission.VALIDATE_LOAN_REQUESTS,
        Permission.VIEW_DOSSIERS,
    ),
    NotificationKind.DOSSIER_STATUS: (
        Permission.CREATE_LOAN_REQUESTS,
        Permission.VALIDATE_LOAN_REQUESTS,
        Permission.VIEW_DOSSIERS,
    ),
    NotificationKind.INSTALMENT_DUE: (Permission.VIEW_PORTFOLIO,),
    NotificationKind.DISBURSEMENT_DECIDED: (Permission.MANAGE_DISBURSEMENTS,),
    NotificationKind.NEW_DOCUMENT: (Permission.VIEW_DOCUMENTS,),
    NotificationKind.COLLEAGUE_WAITING: (Permission.ADMINISTER_USERS,),
}


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Un courriel pour chaque notification, dès qu'elle arrive"
    DIGEST = "digest", "Un seul courriel par jour, qui les résume"


class SkipReason(models.TextChoices):
    DISABLED = "disabled", "notification désactivée par l'utilisateur"
    PERMISSION_LOST = "permission_lost", "habilitation retirée"
    INACTIVE = "inactive", "compte inactif"


class AuditAction(models.TextChoices):
    PREFERENCES_CHANGED = "notification_preferences_changed", "Préférences de notification modifiées"
    UNSUBSCRIBED = "notification_unsubscribed", "Désabonnement d'une notification"
