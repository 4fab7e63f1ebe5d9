from django.db import models
from django.utils.translation import gettext_lazy as _


class Permission(models.TextChoices):
    """The seven « habilitations » (GLOSSARY.md)."""

    CREATE_LOAN_REQUESTS = "create_loan_requests", _("Création de demandes de prêts")
    VALIDATE_LOAN_REQUESTS = "validate_loan_requests", _("Validation de demandes de prêts")
    MANAGE_DISBURSEMENTS = "manage_disbursements", _("Pilotage des échéanciers de versement")
    VIEW_DOSSIERS = "view_dossiers", _("Consultation des Dossiers")
    VIEW_PORTFOLIO = "view_portfolio", _("Consultation des Encours")
    VIEW_DOCUMENTS = "view_documents", _("Documents")
    ADMINISTER_USERS = "administer_users", _("Administration")


# The services a user may ask for when registering (the tutorial's five check boxes).
REQUESTABLE_PERMISSIONS = [
    Permission.CREATE_LOAN_REQUESTS,
    Permission.VALIDATE_LOAN_REQUESTS,
    Permission.VIEW_DOSSIERS,
    Permission.VIEW_PORTFOLIO,
    Permission.VIEW_DOCUMENTS,
]


class UserStatus(models.TextChoices):
    AWAITING_ACTIVATION = "awaiting_activation", _("en attente d'activation")
    AWAITING_ADMIN = "awaiting_admin", _("en attente de validation")
    ACTIVE = "active", _("actif")
    DEACTIVATED = "deactivated", _("désactivé")
    LAPSED = "lapsed", _("inscription expirée")


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", _("Connexion réussie")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    LOGIN_LOCKED = "login_locked", _("Compte bloqué")
    LOGIN_UNLOCKED = "login_unlocked", _("Compte débloqué")
    LOGOUT = "logout", _("Déconnexion")
    PASSWORD_CHANGED = "password_changed", _("Mot de passe modifié")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Réinitialisation demandée")
    PASSWORD_RESET = "password_reset", _("Mot de passe réinitialisé")
    USERNAME_REMINDER_SENT = "username_reminder_sent", _("Identifiant envoyé")
    PROFILE_CHANGED = "profile_changed", _("Profil modifié")
    EMAIL_CHANGED = "email_changed", _("Adresse e-mail modifiée")
