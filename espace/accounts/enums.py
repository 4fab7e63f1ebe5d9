from django.db import models


class Permission(models.TextChoices):
    """The seven « habilitations » (GLOSSARY.md)."""

    CREATE_LOAN_REQUESTS = "create_loan_requests", "Création de demandes de prêts"
    VALIDATE_LOAN_REQUESTS = "validate_loan_requests", "Validation de demandes de prêts"
    MANAGE_DISBURSEMENTS = "manage_disbursements", "Pilotage des échéanciers de versement"
    VIEW_DOSSIERS = "view_dossiers", "Consultation des Dossiers"
    VIEW_PORTFOLIO = "view_portfolio", "Consultation des Encours"
    VIEW_DOCUMENTS = "view_documents", "Documents"
    ADMINISTER_USERS = "administer_users", "Administration"


# The services a user may ask for when registering (the tutorial's five check boxes).
REQUESTABLE_PERMISSIONS = [
    Permission.CREATE_LOAN_REQUESTS,
    Permission.VALIDATE_LOAN_REQUESTS,
    Permission.VIEW_DOSSIERS,
    Permission.VIEW_PORTFOLIO,
    Permission.VIEW_DOCUMENTS,
]


class UserStatus(models.TextChoices):
    AWAITING_ACTIVATION = "awaiting_activation", "en attente d'activation"
    AWAITING_ADMIN = "awaiting_admin", "en attente de validation"
    ACTIVE = "active", "actif"
    DEACTIVATED = "deactivated", "désactivé"
    LAPSED = "lapsed", "inscription expirée"


class AuditAction(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", "Connexion réussie"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOGIN_LOCKED = "login_locked", "Compte bloqué"
    LOGIN_UNLOCKED = "login_unlocked", "Compte débloqué"
    LOGOUT = "logout", "Déconnexion"
    PASSWORD_CHANGED = "password_changed", "Mot de passe modifié"
    PASSWORD_RESET_REQUESTED = "password_reset_requested", "Réinitialisation demandée"
    PASSWORD_RESET = "password_reset", "Mot de passe réinitialisé"
    USERNAME_REMINDER_SENT = "username_reminder_sent", "Identifiant envoyé"
    PROFILE_CHANGED = "profile_changed", "Profil modifié"
    EMAIL_CHANGED = "email_changed", "Adresse e-mail modifiée"
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Double authentification activée"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Code de double authentification erroné"
    SECOND_FACTOR_DISABLED = "second_factor_disabled", "Double authentification désactivée"
    RECOVERY_CODE_USED = "recovery_code_used", "Code de secours utilisé"
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", "Codes de secours renouvelés"
    PASSKEY_ADDED = "passkey_added", "Clé d'accès ajoutée"
    PASSKEY_REMOVED = "passkey_removed", "Clé d'accès supprimée"
