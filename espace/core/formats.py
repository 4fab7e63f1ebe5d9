"""French formatting of money and rates (« 1 234 567,89 € », « 2,10 % »), exact on Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"  # no line break inside an amount


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{abs(value.quantize(quantum, rounding=ROUND_HALF_UP)):.{places}f}"
    whole, _dot, decimals = text.partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = "−" if value < 0 and Decimal(text) != 0 else ""
    return sign + NBSP.join(groups) + ("," + decimals if decimals else "")


def euros(value: Decimal | int | str | None, places: int = 2) -> str:
    """Amounts, also as the decimal strings JSON reports keep."""
    if value is None or value == "":
        return "—"
    return f"{_grouped(Decimal(value), places)}{NBSP}€"


def number_fr(value: Decimal | int | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return _grouped(Decimal(value), places)


def percent(fraction: Decimal | None, places: int = 2) -> str:
    """A fraction as a French percentage: Decimal("0.021") → « 2,10 % »."""
    if fraction is None:
        return "—"
    return f"{_grouped(Decimal(fraction) * 100, places)}{NBSP}%"


def percent_points(value: Decimal | None, places: int = 2) -> str:
    """A value already in percent (a margin of 0.60) → « 0,60 % »."""
    if value is None:
        return "—"
    return f"{_grouped(Decimal(value), places)}{NBSP}%"
