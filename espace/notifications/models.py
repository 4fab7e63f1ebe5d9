from __future__ import annotations

from django.conf import settings
from django.db import models

from espace.core.models import TimeStampedModel
from espace.notifications.enums import Delivery, NotificationKind, SkipReason


class NotificationPreference(TimeStampedModel):
    """A user's choices; without a row, every kind they are entitled to, one e-mail each."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    disabled_kinds = models.JSONField("notifications désactivées", default=list, blank=True)
    delivery = models.CharField("envoi", max_length=20, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"

    def __str__(self) -> str:
        return f"notifications de {self.user_id}"


class Notification(TimeStampedModel):
    """One thing to tell one user, at most once: (user, kind, key) is unique, so the same event
    recorded twice (a retried task, a replayed import) is one notification."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    key = models.CharField(max_length=200)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict)
    # One line for the daily digest.
    summary = models.CharField(max_length=300)
    link_path = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)
    skipped = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_once")]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="notification_digest_pending",
                condition=models.Q(sent_at__isnull=True, skipped=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
