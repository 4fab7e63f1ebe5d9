"""The periodic access review (« Revue des accès »): every ACCESS_REVIEW_INTERVAL each
establishment's administrators confirm who keeps which access."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from espace.core.models import TimeStampedModel
from espace.members.enums import ReviewDecision


class AccessReview(TimeStampedModel):
    """One review of an establishment's active users, open until its administrators confirm each
    one or `due_at` passes (then the users nobody confirmed are suspended)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment",
        on_delete=models.CASCADE,
        related_name="access_reviews",
        verbose_name="établissement",
    )
    due_at = models.DateTimeField("à faire avant le")
    reminder_sent_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    completed_at = models.DateTimeField("terminée le", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="terminée par",
    )
    closed_at = models.DateTimeField("close à l'échéance le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "revue des accès"
        verbose_name_plural = "revues des accès"
        constraints = [
            # One review open at a time per establishment.
            models.UniqueConstraint(
                fields=["establishment"],
                condition=models.Q(completed_at__isnull=True, closed_at__isnull=True),
                name="access_review_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"Revue des accès {self.establishment_id} du {self.created_at:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.closed_at is None


class AccessReviewItem(models.Model):
    """One user as the review found them, and what became of them."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    permissions = models.JSONField("habilitations à l'ouverture", default=list)
    last_login = models.DateTimeField("dernière connexion", null=True, blank=True)
    # No login for ACCESS_REVIEW_INACTIVITY: proposed for deactivation.
    inactive = models.BooleanField("inactif depuis 12 mois", default=False)
    decision = models.CharField("décision", max_length=20, choices=ReviewDecision.choices, blank=True)
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="access_review_item_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.decision or 'à confirmer'}"
