"""The registry of audit actions: every app declares its own (enums.AuditAction) and registers it
in its AppConfig.ready(); core stores the plain value and shows the label from here."""

from __future__ import annotations

from django.db import models

_LABELS: dict[str, str] = {}


def audit_actions_register(actions: type[models.TextChoices]) -> None:
    for value, label in actions.choices:
        known = _LABELS.get(value)
        if known is not None and known != str(label):
            raise ValueError(f"Audit action {value!r} is declared twice with different labels.")
        _LABELS[value] = str(label)


def audit_action_known(value: str) -> bool:
    return value in _LABELS


def audit_action_label(value: str) -> str:
    return str(_LABELS.get(value, value))


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered action, by French label (journal filters)."""
    return sorted(((value, str(label)) for value, label in _LABELS.items()), key=lambda choice: choice[1])
