"""Read models are frozen dataclasses: typed, immutable, built by selectors and rendered by views."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def template_fields(model: DataclassInstance) -> dict[str, object]:
    """A read model's fields as template variables, one level deep (unlike `dataclasses.asdict`,
    which copies every value it holds, model instances included)."""
    return {field.name: getattr(model, field.name) for field in fields(model)}
