from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from espace.core import clock
from espace.core.audit_actions import audit_action_label


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LoadedValuesModel(models.Model):
    """Remembers some columns as the row was read (`LOADED_FIELDS`), so that a receiver can tell
    what a save changed: `loaded(name)` (None for a row not read from the database), and
    `loaded_refresh()` once the change is handled (espace.core.page_cache's receivers)."""

    LOADED_FIELDS: tuple[str, ...] = ()
    _loaded: dict[str, Any] = {}

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._loaded = {name: instance.__dict__.get(name) for name in cls.LOADED_FIELDS}
        return instance

    def loaded(self, name: str) -> Any:
        return self._loaded.get(name)

    def loaded_refresh(self) -> None:
        self._loaded = {name: getattr(self, name) for name in self.LOADED_FIELDS}


class EmailCodeMixin(models.Model):
    """A 4-digit email code proving an address (SECURITY.md: 15 min, 3 tries, 5 sends, 60 s apart).

    Shared by registrations and email changes; the rules live in `espace.core.email_codes`.
    """

    code_hash = models.CharField(max_length=256, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    last_code_requested_at = models.DateTimeField(null=True, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.expires_at > clock.now()


class AuditEvent(models.Model):
    """Append-only record of a security event or an administrative act. Never holds a secret."""

    occurred_at = models.DateTimeField(default=clock.now, db_index=True)
    # An app's enums.AuditAction value; labels come from the registry in espace.core.audit.
    action = models.CharField(max_length=64, db_index=True)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only.")

    def get_action_display(self) -> str:
        return audit_action_label(self.action)


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

    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte")
    published = models.BooleanField("publiée", default=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "actualité"
        verbose_name_plural = "actualités"

    def __str__(self) -> str:
        return self.title


class WorkerHeartbeat(models.Model):
    """A task worker started by `manage.py task_worker` says it is alive every few seconds.

    A task left RUNNING by a worker that stopped beating (killed, machine lost) is queued again
    (espace.core.worker).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(default=clock.now)
    seen_at = models.DateTimeField(default=clock.now, db_index=True)

    def __str__(self) -> str:
        return self.worker_id
