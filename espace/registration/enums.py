from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("premier utilisateur (administrateur)")
    MEMBER = "member", _("utilisateur")


class AuditAction(models.TextChoices):
    REGISTRATION_STARTED = "registration_started", _("Inscription commencée")
    EMAIL_CODE_SENT = "email_code_sent", _("Code envoyé par e-mail")
    EMAIL_CODE_FAILED = "email_code_failed", _("Code erroné")
    REGISTRATION_COMPLETED = "registration_completed", _("Inscription terminée")
    REGISTRATION_LAPSED = "registration_lapsed", _("Inscription expirée")
    ACCOUNT_ACTIVATED = "account_activated", _("Compte activé")
