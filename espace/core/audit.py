from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from espace.core.models import AuditAction, AuditEvent
from espace.core.net import client_ip

if TYPE_CHECKING:
    from espace.accounts.models import User
    from espace.establishments.models import Establishment

FORBIDDEN_DETAIL_KEYS = {"password", "code", "token", "temporary_code", "secret"}


def audit_record(
    *,
    action: AuditAction,
    actor: User | None = None,
    target: models.Model | None = None,
    establishment: Establishment | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Refuses any detail whose key looks like a secret."""
    details = details or {}
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(details)
    if leaked:
        raise ValueError(f"Secrets cannot be audited: {sorted(leaked)}")
    if establishment is None:
        establishment = getattr(target, "establishment", None) or getattr(actor, "establishment", None)
        if establishment is None and target is not None and target._meta.model_name == "establishment":
            establishment = target  # type: ignore[assignment]
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_label=str(actor) if actor else "",
        establishment=establishment,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "")) if target else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        details=details,
    )
    event.save()
    return event
