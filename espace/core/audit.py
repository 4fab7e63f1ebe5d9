"""The append-only audit trail (SECURITY.md, « Audit »).

Core stores each action as a plain string. Every app declares its actions in its own
`enums.py` (a TextChoices named AuditAction) and registers them in its AppConfig.ready(), so
a new app adds actions without migrating core, and the journal still shows French labels.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from espace.core.audit_actions import audit_action_known
from espace.core.models import AuditEvent
from espace.core.origin import current_ip

FORBIDDEN_DETAIL_KEYS = {"password", "code", "token", "temporary_code", "secret"}


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None = None,
    target: models.Model | None = None,
    establishment: models.Model | None = None,
    details: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Append one audit row, from the current request's address (espace.core.origin). Refuses an
    unknown action and any detail whose key looks like a secret."""
    if not audit_action_known(action):
        raise ValueError(f"Unknown audit action {action!r}: declare it in the app's enums.AuditAction.")
    details = details or {}
    leaked = FORBIDDEN_DETAIL_KEYS.intersection(details)
    if leaked:
        raise ValueError(f"Secrets cannot be audited: {sorted(leaked)}")
    if establishment is None:
        establishment = getattr(target, "establishment", None) or getattr(actor, "establishment", None)
        if establishment is None and target is not None and target._meta.model_name == "establishment":
            establishment = target
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        action=str(action),
        actor_id=actor.pk if actor is not None else None,
        actor_label=str(actor) if actor else "",
        establishment_id=establishment.pk if establishment is not None else None,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "")) if target else "",
        target_label=str(target)[:200] if target is not None else "",
        ip_address=current_ip(),
        details=details,
    )
    event.save()
    return event
