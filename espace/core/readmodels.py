"""Read models are frozen dataclasses: typed, immutable, built by selectors and rendered by views."""

from __future__ import annotations

import uuid
from dataclasses import fields
from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def template_fields(model: DataclassInstance) -> dict[str, object]:
    """A read model's fields as template variables, one level deep (unlike `dataclasses.asdict`,
    which copies every value it holds, model instances included)."""
    return {field.name: getattr(model, field.name) for field in fields(model)}


_PLACEHOLDER = str(uuid.UUID(int=0))  # a UUID no object has


class RowUrl:
    """The URL of each row's object by its public id: one reverse() a page, not one a row."""

    def __init__(self, viewname: str) -> None:
        self._url = reverse(viewname, args=[_PLACEHOLDER])

    def __call__(self, public_id: uuid.UUID | str) -> str:
        return self._url.replace(_PLACEHOLDER, str(public_id))
