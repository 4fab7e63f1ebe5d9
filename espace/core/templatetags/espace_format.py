from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField

from espace.core import formats
from espace.core.rows import rows_render

register = template.Library()


@register.filter
def euros(value: Decimal | int | str | None) -> str:
    return formats.euros(value)


@register.filter
def euros_whole(value: Decimal | int | None) -> str:
    return formats.euros(value, places=0)


@register.filter
def percent(value: Decimal | None) -> str:
    return formats.percent(value)


@register.filter
def percent_points(value: Decimal | None) -> str:
    return formats.percent_points(value)


@register.filter
def absolute_percent_points(value: Decimal | None) -> str:
    return formats.percent_points(abs(value) if value is not None else None)


@register.filter
def absolute_percent(value: Decimal | None) -> str:
    """A signed fraction (a margin of −0.002) as « 0,20 % »: the sign is written before it."""
    return formats.percent(abs(value) if value is not None else None)


@register.simple_tag
def rows(name: str, **context: Any) -> str:
    """The rows of a heavy table, rendered by the Jinja2 template `templates/rows/<name>`."""
    return rows_render(name, **context)


@register.filter
def widget_value(bound_field: BoundField) -> Any:
    """The field's value as its widget writes it (a date input needs 2027-12-01, not « 1 décembre 2027 »)."""
    return bound_field.field.widget.format_value(bound_field.value())
