from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("premier utilisateur (administrateur)")
    MEMBER = "member", _("utilisateur")


class RegistrationStep(models.TextChoices):
    """Where « Créer mon compte » stands. The first two steps come before the registration exists
    (the browser's session holds the establishment and the accepted terms); from the code on, the
    registration holds its step, and only its services move it (espace.registration.services)."""

    TERMS = "terms", _("Conditions d'utilisation")
    IDENTITY = "identity", _("Identité")
    CODE = "code", _("Code reçu par e-mail")
    MEMBER_DETAILS = "member_details", _("Mot de passe et services")
    DONE = "done", _("Compte créé")


# The steps a registration row holds (the first two pass before it exists).
HELD_STEPS = (RegistrationStep.CODE, RegistrationStep.MEMBER_DETAILS, RegistrationStep.DONE)


class AuditAction(models.TextChoices):
    REGISTRATION_STARTED = "registration_started", _("Inscription commencée")
    EMAIL_CODE_SENT = "email_code_sent", _("Code envoyé par e-mail")
    EMAIL_CODE_FAILED = "email_code_failed", _("Code erroné")
    REGISTRATION_COMPLETED = "registration_completed", _("Inscription terminée")
    REGISTRATION_LAPSED = "registration_lapsed", _("Inscription expirée")
    ACCOUNT_ACTIVATED = "account_activated", _("Compte activé")
