from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from espace.accounts.models import username_validator
from espace.core.models import EmailCodeMixin, TimeStampedModel
from espace.registration.enums import HELD_STEPS, RegistrationKind, RegistrationStep


class Registration(EmailCodeMixin, TimeStampedModel):
    """A registration in progress, before the email address is proven by the 4-digit code.

    It reserves the identifier until it expires; only a completed registration creates a User.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey("establishments.Establishment", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=RegistrationKind.choices)
    step = models.CharField(max_length=20, choices=RegistrationStep.choices, default=RegistrationStep.CODE)
    username = models.CharField(max_length=50, validators=[username_validator])
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    password_hash = models.CharField(max_length=256, blank=True)
    requested_permissions = models.JSONField(default=list, blank=True)
    terms_version = models.CharField(max_length=20)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registration"
    )

    class Meta:
        indexes = [models.Index(Lower("username"), "expires_at", name="registration_username_lower")]
        constraints = [
            models.CheckConstraint(condition=models.Q(step__in=HELD_STEPS), name="registration_step_held"),
        ]

    def __str__(self) -> str:
        return f"{self.username} → {self.establishment_id}"

    def as_user_fields(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "job_title": self.job_title,
        }


class LetterTracking(EmailCodeMixin, TimeStampedModel):
    """« Suivre mon courrier d'activation »: a first user proves their registration's e-mail address
    with a 4-digit code, then sees where their letter stands for a short while (`expires_at`).

    The identifier alone opens nothing: the letter's state and a new letter both need the code."""

    # None for an identifier with nothing to follow: the same screens and rules, no e-mail, and a
    # code nobody knows (tracking.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return f"suivi du courrier de {self.user_id}"

    @property
    def is_verified(self) -> bool:
        return self.is_open and self.email_verified_at is not None
