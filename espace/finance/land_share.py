"""Land share (« part foncière »): the fraction of an operation's cost price financed by the land loan.

Two ways, both giving a percent with two decimals and the land loan base (cost price × that percent,
to the cent, half-up — computed from the stated two-decimal percent so that a reader can redo it):

- from the operation's costs: share = (land cost / cost price) × (1 − subsidies / cost price);
- flat, by housing zone and kind of acquisition (VEFA without the seller's breakdown, acquisition,
  acquisition-improvement), from the table of data/land_share_zones.json.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .errors import LandShareError
from .schedule import CENT, ENGINE_CONTEXT

HUNDRED = Decimal(100)


class Zone(StrEnum):
    """Housing zone of the commune (market tension)."""

    ABIS = "Abis"
    A = "A"
    B1 = "B1"
    B2 = "B2"
    C = "C"


class Acquisition(StrEnum):
    """Kind of acquisition for the flat land shares."""

    VEFA = "vefa"  # off-plan purchase
    ACQUISITION = "acquisition"
    ACQUISITION_AMELIORATION = "acquisition_amelioration"  # acquisition-improvement


FlatShareTable = Mapping[Acquisition, Mapping[Zone, Decimal]]


@dataclass(frozen=True, slots=True)
class LandShare:
    """A land share: `percent` with two decimals (13.20 for 13.20 %) and the land loan base in cents."""

    percent: Decimal
    land_loan_base: Decimal

    @property
    def fraction(self) -> Decimal:
        """The share as a fraction (0.132 for 13.20 %)."""
        return self.percent / HUNDRED


def land_share_from_costs(cost_price: Decimal, land_cost: Decimal, subsidies: Decimal) -> LandShare:
    """Share = (land_cost / cost_price) × (1 − subsidies / cost_price), as a percent rounded half-up to 0.01;
    land loan base = round(cost_price × percent / 100) to the cent.

    DOMAIN.md: 15 % × (1 − 12 %) = 13.2 %; 3,000,000 with 450,000 of land and 360,000 of subsidies
    gives 13.20 % and 396,000.00.
    """
    _check_amount(cost_price, "cost_price", positive=True)
    _check_amount(land_cost, "land_cost")
    _check_amount(subsidies, "subsidies")
    if land_cost > cost_price:
        raise LandShareError("land_cost", f"cannot exceed the cost price ({land_cost} > {cost_price})")
    if subsidies > cost_price:
        raise LandShareError("subsidies", f"cannot exceed the cost price ({subsidies} > {cost_price})")
    with localcontext(ENGINE_CONTEXT):
        share = land_cost / cost_price * (1 - subsidies / cost_price)
        return _land_share(cost_price, (share * HUNDRED).quantize(CENT, ROUND_HALF_UP))


def land_share_flat(
    cost_price: Decimal, zone: Zone | str, acquisition: Acquisition | str, table: FlatShareTable | None = None
) -> LandShare:
    """Flat share of the zone for the kind of acquisition (default table: data/land_share_zones.json);
    land loan base = round(cost_price × percent / 100) to the cent.
    """
    _check_amount(cost_price, "cost_price", positive=True)
    try:
        zone = Zone(zone)
    except ValueError:
        raise LandShareError("zone", f"unknown zone {zone!r} (Abis, A, B1, B2 or C)") from None
    try:
        acquisition = Acquisition(acquisition)
    except ValueError:
        raise LandShareError(
            "acquisition", f"unknown acquisition {acquisition!r} (vefa, acquisition or acquisition_amelioration)"
        ) from None
    rates = flat_share_table() if table is None else table
    try:
        percent = rates[acquisition][zone]
    except KeyError:
        raise LandShareError("zone", f"no flat land share for {acquisition} in zone {zone}") from None
    with localcontext(ENGINE_CONTEXT):
        return _land_share(cost_price, percent.quantize(CENT, ROUND_HALF_UP))


def _land_share(cost_price: Decimal, percent: Decimal) -> LandShare:
    return LandShare(percent, (cost_price * percent / HUNDRED).quantize(CENT, ROUND_HALF_UP))


def _check_amount(value: object, name: str, *, positive: bool = False) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise LandShareError(name, "must be a finite Decimal amount")
    if positive and value <= 0:
        raise LandShareError(name, f"must be greater than 0, got {value}")
    if value < 0:
        raise LandShareError(name, f"cannot be negative, got {value}")


def load_flat_share_table(raw: dict[str, Any]) -> FlatShareTable:
    """Read the flat shares from their JSON form: {"rates_percent": {acquisition: {zone: "45.00"}}}."""
    if raw.get("unit") != "percent":
        raise LandShareError("unit", "flat land share files store percents")
    table = {
        Acquisition(acquisition): MappingProxyType({Zone(zone): Decimal(text) for zone, text in zones.items()})
        for acquisition, zones in raw["rates_percent"].items()
    }
    return MappingProxyType(table)


@cache
def flat_share_table() -> FlatShareTable:
    """The flat land shares of data/land_share_zones.json (read-only)."""
    text = (resources.files("espace.finance") / "data" / "land_share_zones.json").read_text(encoding="utf-8")
    return load_flat_share_table(json.loads(text))
