"""Land share: from the operation's costs (DOMAIN.md's 13.2 % example) and flat by zone."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

import pytest

from espace.finance.errors import LandShareError
from espace.finance.land_share import (
    Acquisition,
    Zone,
    flat_share_table,
    land_share_flat,
    land_share_from_costs,
)

D = Decimal


def test_domain_example_fifteen_percent_land_twelve_percent_subsidies() -> None:
    # (450,000 / 3,000,000) × (1 − 360,000 / 3,000,000) = 15 % × 88 % = 13.2 %; 3,000,000 × 13.20 % = 396,000.00.
    share = land_share_from_costs(D("3000000"), D("450000"), D("360000"))
    assert share.percent == D("13.20")
    assert f"{share.percent:.2f}" == "13.20"
    assert share.land_loan_base == D("396000.00")
    assert share.fraction == D("0.132")


def test_share_is_rounded_half_up_and_the_base_follows_the_stated_percent() -> None:
    # 1,000 / 7,000 × (1 − 0) = 14.2857… % → 14.29 %; base = 7,000 × 14.29 % = 1,000.30.
    share = land_share_from_costs(D("7000"), D("1000"), D("0"))
    assert (share.percent, share.land_loan_base) == (D("14.29"), D("1000.30"))
    # 1 / 8 × (1 − 1 / 8) = 10.9375 % → 10.94 % (half-up at the second decimal: 0.0075 → 0.01).
    assert land_share_from_costs(D("8"), D("1"), D("1")).percent == D("10.94")


@pytest.mark.parametrize(
    ("zone", "percent"),
    [(Zone.ABIS, D("45")), (Zone.A, D("35")), (Zone.B1, D("30")), (Zone.B2, D("25")), (Zone.C, D("20"))],
)
@pytest.mark.parametrize("acquisition", list(Acquisition))
def test_flat_share_of_each_zone(zone: Zone, percent: Decimal, acquisition: Acquisition) -> None:
    share = land_share_flat(D("2000000"), zone, acquisition)
    assert share.percent == percent
    assert f"{share.percent:.2f}" == f"{percent}.00"
    assert share.land_loan_base == D("2000000") * percent / 100


def test_flat_share_accepts_code_names_and_a_table() -> None:
    assert land_share_flat(D("1000"), "Abis", "acquisition_amelioration").percent == D("45.00")
    table = MappingProxyType({Acquisition.VEFA: MappingProxyType({Zone.C: D("22.5")})})
    share = land_share_flat(D("1000"), "C", "vefa", table)
    assert (share.percent, share.land_loan_base) == (D("22.50"), D("225.00"))
    with pytest.raises(LandShareError) as error:
        land_share_flat(D("1000"), "A", "vefa", table)
    assert error.value.field == "zone"


def test_the_data_file_covers_every_zone_and_acquisition() -> None:
    table = flat_share_table()
    assert set(table) == set(Acquisition)
    assert all(set(zones) == set(Zone) for zones in table.values())


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((D("0"), D("0"), D("0")), "cost_price"),
        ((D("-1"), D("0"), D("0")), "cost_price"),
        ((D("100"), D("101"), D("0")), "land_cost"),
        ((D("100"), D("-1"), D("0")), "land_cost"),
        ((D("100"), D("10"), D("100.01")), "subsidies"),
        ((D("100"), D("10"), D("-0.01")), "subsidies"),
        ((D("100"), 10.0, D("0")), "land_cost"),
        ((D("NaN"), D("1"), D("0")), "cost_price"),
    ],
)
def test_cost_inputs_are_checked(arguments: tuple[Decimal, Decimal, Decimal], field: str) -> None:
    with pytest.raises(LandShareError) as error:
        land_share_from_costs(*arguments)
    assert error.value.field == field
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((D("100"), "D", "vefa"), "zone"),
        ((D("100"), "A", "lease"), "acquisition"),
        ((D("0"), "A", "vefa"), "cost_price"),
    ],
)
def test_flat_inputs_are_checked(arguments: tuple[Decimal, str, str], field: str) -> None:
    with pytest.raises(LandShareError) as error:
        land_share_flat(*arguments)
    assert error.value.field == field
