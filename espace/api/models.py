"""API tokens: one establishment's read access for its own software, granted by its administrator.

The clear token exists only in the page that shows it once; the database keeps its SHA-256 digest
(a token is 256 random bits: a slow hash adds nothing) and a short prefix to recognise it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models

from espace.accounts.enums import UserStatus
from espace.api.enums import ApiScope, TokenState
from espace.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("nom", max_length=80)
    # ApiScope values, in the enum's order.
    scopes = models.JSONField("droits", default=list)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("expire le")
    # Networks allowed to call with the token ("203.0.113.0/24", "2001:db8::1/128"); empty: anywhere.
    allowed_networks = models.JSONField("adresses IP autorisées", default=list, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Written at most once a minute (API_USE_PRECISION), not on every call.
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        indexes = [models.Index(fields=["establishment", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def creator_in_charge(self) -> bool:
        """The creator is still an active administrator of the token's establishment.

        A token lives on its creator's « Administration »: when they are deactivated or lose it,
        every token they made stops at once (suspended), until another administrator revokes it
        or the creator is given « Administration » back."""
        creator = self.created_by
        return (
            creator.status == UserStatus.ACTIVE
            and creator.establishment_id == self.establishment_id
            and creator.perm_administer_users
        )

    def state_at(self, now: datetime) -> TokenState:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= now:
            return TokenState.EXPIRED
        if not self.creator_in_charge or not self.establishment.is_active:
            return TokenState.SUSPENDED
        return TokenState.ACTIVE

    @property
    def scope_labels(self) -> list[str]:
        return [str(scope.label) for scope in ApiScope if scope.value in self.scopes]

    def has_scope(self, scope: ApiScope | str) -> bool:
        return str(scope) in self.scopes
