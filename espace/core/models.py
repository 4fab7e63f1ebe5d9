from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from espace.core import clock


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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
    REGISTRATION_STARTED = "registration_started", _("Inscription commencée")
    EMAIL_CODE_SENT = "email_code_sent", _("Code envoyé par e-mail")
    EMAIL_CODE_FAILED = "email_code_failed", _("Code erroné")
    REGISTRATION_COMPLETED = "registration_completed", _("Inscription terminée")
    REGISTRATION_LAPSED = "registration_lapsed", _("Inscription expirée")
    ACCOUNT_ACTIVATED = "account_activated", _("Compte activé")
    LETTER_GENERATED = "letter_generated", _("Courrier généré")
    LETTER_EXPORTED = "letter_exported", _("Courrier exporté")
    ESTABLISHMENTS_IMPORTED = "establishments_imported", _("Établissements importés")
    PROFILE_CHANGED = "profile_changed", _("Profil modifié")
    EMAIL_CHANGED = "email_changed", _("Adresse e-mail modifiée")
    MEMBER_ACTIVATED = "member_activated", _("Utilisateur activé")
    MEMBER_PERMISSIONS_CHANGED = "member_permissions_changed", _("Habilitations modifiées")
    MEMBER_DEACTIVATED = "member_deactivated", _("Utilisateur désactivé")
    MEMBER_REACTIVATED = "member_reactivated", _("Utilisateur réactivé")
    VALIDATION_REMINDER_SENT = "validation_reminder_sent", _("Rappel de validation envoyé")
    CONTACT_REQUEST_CREATED = "contact_request_created", _("Demande de contact reçue")
    CONTACT_REQUEST_ANSWERED = "contact_request_answered", _("Demande de contact répondue")
    CONTACT_REQUEST_CLOSED = "contact_request_closed", _("Demande de contact close")
    UPLOAD_INFECTED = "upload_infected", _("Fichier infecté refusé")
    LETTER_REGENERATED = "letter_regenerated", _("Courrier regénéré")
    LETTER_RETURNED = "letter_returned", _("Courrier retourné")
    LETTERS_BATCH_EXPORTED = "letters_batch_exported", _("Lot de courriers exporté")
    SUCCESSION_STARTED = "succession_started", _("Succession d'administrateur")
    STAFF_OTP_FAILED = "staff_otp_failed", _("Second facteur erroné")
    STAFF_OTP_ENROLLED = "staff_otp_enrolled", _("Second facteur enregistré")
    STAFF_ENROLMENT_LINK_CREATED = "staff_enrolment_link_created", _("Lien d'enrôlement créé")
    STAFF_RECOVERY_CODES_ISSUED = "staff_recovery_codes_issued", _("Codes de secours renouvelés")


class AuditEvent(models.Model):
    """Append-only record of a security event or an administrative act. Never holds a secret."""

    occurred_at = models.DateTimeField(default=clock.now, db_index=True)
    action = models.CharField(max_length=64, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["establishment", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only.")


class ThrottleCounter(models.Model):
    """A fixed-window counter, incremented atomically in the database.

    Shared by the login lockout per identifier, the per-IP throttles and the registration limit,
    so several web processes see the same counts.
    """

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class DemoEmail(models.Model):
    """An email kept for the demo mailbox page (only when DEBUG is on and EMAIL_HOST is empty)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(default=clock.now)
    from_email = models.CharField(max_length=254)
    to = models.TextField()
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html_body = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class NewsItem(TimeStampedModel):
    """A news item the lender publishes on the users' home page (edited in the back office)."""

    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    published = models.BooleanField(_("publiée"), default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")

    def __str__(self) -> str:
        return self.title
