from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from espace.core.models import TimeStampedModel
from espace.core.uploads import ScanStatus
from espace.support.enums import ContactStatus, ContactSubject, Team


def attachment_upload_to(instance: ContactRequest, filename: str) -> str:
    return f"contact/{uuid.uuid4().hex}"


class ContactRequest(TimeStampedModel):
    """A message to the lender through « formulaire de contact en ligne », queued for one team."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("référence", max_length=20, unique=True, null=True, blank=True)
    subject = models.CharField("objet", max_length=32, choices=ContactSubject.choices)
    team = models.CharField("équipe", max_length=20, choices=Team.choices)
    regional_office = models.ForeignKey(
        "establishments.RegionalOffice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField("message", max_length=5000)
    sender_name = models.CharField("nom", max_length=160)
    sender_email = models.EmailField("adresse e-mail")
    sender_phone = models.CharField("téléphone", max_length=30, blank=True)
    organisation = models.CharField("établissement", max_length=200, blank=True)
    client_number = models.CharField("numéro client", max_length=20, blank=True)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_requests",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_requests"
    )
    attachment = models.FileField(upload_to=attachment_upload_to, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=120, blank=True)
    attachment_scan = models.CharField(max_length=20, choices=ScanStatus.choices, blank=True)
    status = models.CharField("statut", max_length=20, choices=ContactStatus.choices, default=ContactStatus.NEW)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "status", "-created_at"])]
        verbose_name = "demande de contact"
        verbose_name_plural = "demandes de contact"

    def __str__(self) -> str:
        return f"{self.reference} — {self.get_subject_display()}"


class ContactAnswer(TimeStampedModel):
    """An answer sent by e-mail from the back office, kept with the request."""

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=10000)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Réponse à {self.request.reference}"
