from django.db import models


class RegistrationKind(models.TextChoices):
    ADMINISTRATOR = "administrator", "premier utilisateur (administrateur)"
    MEMBER = "member", "utilisateur"


class RegistrationStep(models.TextChoices):
    """Where « Créer mon compte » stands. The first two steps come before the registration exists
    (the browser's session holds the establishment and the accepted terms); from the code on, the
    registration holds its step, and only its services move it (espace.registration.services)."""

    TERMS = "terms", "Conditions d'utilisation"
    IDENTITY = "identity", "Identité"
    CODE = "code", "Code reçu par e-mail"
    MEMBER_DETAILS = "member_details", "Mot de passe et services"
    DONE = "done", "Compte créé"


# The steps a registration row holds (the first two pass before it exists).
HELD_STEPS = (RegistrationStep.CODE, RegistrationStep.MEMBER_DETAILS, RegistrationStep.DONE)


class AuditAction(models.TextChoices):
    REGISTRATION_STARTED = "registration_started", "Inscription commencée"
    EMAIL_CODE_SENT = "email_code_sent", "Code envoyé par e-mail"
    EMAIL_CODE_FAILED = "email_code_failed", "Code erroné"
    REGISTRATION_COMPLETED = "registration_completed", "Inscription terminée"
    REGISTRATION_LAPSED = "registration_lapsed", "Inscription expirée"
    ACCOUNT_ACTIVATED = "account_activated", "Compte activé"
