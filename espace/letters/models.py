from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from espace.core.models import TimeStampedModel
from espace.letters.enums import LetterRequestKind, LetterRequestStatus, LetterStatus


def letter_upload_to(instance: Letter, filename: str) -> str:
    return f"letters/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}.pdf"


class Letter(TimeStampedModel):
    """A postal letter to an establishment's legal representative, carrying a temporary code.

    The clear code exists only inside the PDF; the PDF is deleted after export + retention,
    the metadata stays.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name="établissement",
    )
    account_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name="titulaire du compte",
    )
    address_lines = models.JSONField("adresse", default=list)
    pdf = models.FileField("PDF", upload_to=letter_upload_to, blank=True)
    pages = models.PositiveSmallIntegerField("pages", default=0)
    code_expires_at = models.DateTimeField("code valable jusqu'au")
    status = models.CharField("statut", max_length=20, choices=LetterStatus.choices, default=LetterStatus.PENDING)
    exported_at = models.DateTimeField("exporté le", null=True, blank=True)
    pdf_deleted_at = models.DateTimeField("PDF supprimé le", null=True, blank=True)
    superseded = models.BooleanField("remplacé par un courrier plus récent", default=False)
    # The background task that made it: a task run again (its worker died after the commit) finds
    # its letter instead of making a second one with a second code.
    task_id = models.UUIDField("tâche", null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "courrier"
        verbose_name_plural = "courriers"
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Courrier {self.reference} — {self.establishment.legal_name}"

    @property
    def reference(self) -> str:
        return f"L{self.pk:07d}" if self.pk else "—"


class LetterRequest(TimeStampedModel):
    """A new letter the first user asked for from « Suivre mon courrier d'activation »: not received,
    or the registration renewed after its 30 days. Each one made its letter at once (a new code that
    voids the old one); the back office may refuse it before the letter leaves for the mailing house."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.PROTECT,
        related_name="letter_requests",
        verbose_name="établissement",
    )
    account_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="letter_requests",
        verbose_name="titulaire du compte",
    )
    kind = models.CharField("motif", max_length=20, choices=LetterRequestKind.choices)
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="request", verbose_name="courrier")
    # The address the previous letter went to, when it differs from this letter's: the back office
    # looks twice at a new letter going to a new address.
    previous_address_lines = models.JSONField("adresse du courrier précédent", default=list, blank=True)
    status = models.CharField(
        "statut", max_length=20, choices=LetterRequestStatus.choices, default=LetterRequestStatus.GRANTED
    )
    refused_at = models.DateTimeField("refusée le", null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="refusée par",
    )
    refusal_reason = models.TextField("motif du refus", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "demande de nouveau courrier"
        verbose_name_plural = "demandes de nouveau courrier"
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=LetterRequestStatus.GRANTED) | ~models.Q(refusal_reason=""),
                name="letter_request_refusal_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.letter.reference}"

    @property
    def address_changed(self) -> bool:
        return bool(self.previous_address_lines) and self.previous_address_lines != self.letter.address_lines
