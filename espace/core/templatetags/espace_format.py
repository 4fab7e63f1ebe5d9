from __future__ import annotations

from decimal import Decimal

from django import template

from espace.core import formats

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
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
