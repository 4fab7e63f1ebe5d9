"""Terms refuse what is not a loan, naming the field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from espace.finance import (
    FixedRate,
    IndexedRate,
    Periodicity,
    Prefinancing,
    PrefinancingMode,
    Profile,
    RateHistory,
    Terms,
    TermsError,
    livret_a_history,
)

D = Decimal

VALID: dict[str, Any] = {
    "principal": D("100000.00"),
    "periodicity": Periodicity.ANNUAL,
    "duration_years": 10,
    "first_due": date(2027, 3, 1),
    "profile": Profile.ECHEANCE_PRIORITAIRE,
    "rate": FixedRate(D("0.03")),
}


def test_valid_terms() -> None:
    terms = Terms(
        **VALID, deferral_years=9, progression=D("-0.1"), prefinancing=Prefinancing(60, PrefinancingMode.PAID)
    )
    assert terms.period_count == 10
    assert terms.drawn_on == date(2021, 3, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"principal": D("0")}, "principal"),
        ({"principal": D("-5")}, "principal"),
        ({"principal": D("10.001")}, "principal"),
        ({"principal": 1000.0}, "principal"),
        ({"principal": D("Infinity")}, "principal"),
        ({"principal": D("1000000000000")}, "principal"),
        ({"duration_years": 0}, "duration_years"),
        ({"duration_years": 81}, "duration_years"),
        ({"duration_years": 10.0}, "duration_years"),
        ({"deferral_years": 10}, "deferral_years"),
        ({"deferral_years": -1}, "deferral_years"),
        ({"progression": D("0.1001")}, "progression"),
        ({"progression": D("-0.11")}, "progression"),
        ({"progression": 0.01}, "progression"),
        ({"profile": Profile.AMORTISSEMENT_PRIORITAIRE, "progression": D("0.01")}, "progression"),
        ({"profile": "echeance"}, "profile"),
        ({"periodicity": "weekly"}, "periodicity"),
        ({"rate_convention": "simple"}, "rate_convention"),
        ({"rate": D("0.03")}, "rate"),
        ({"first_due": datetime(2027, 3, 1)}, "first_due"),
        ({"first_due": date(9990, 1, 1)}, "first_due"),
        ({"first_due": date(2008, 8, 1), "rate": IndexedRate(livret_a_history(), D("0.006"))}, "rate"),
        ({"prefinancing": 6}, "prefinancing"),
    ],
)
def test_invalid_terms_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(TermsError) as error:
        Terms(**(VALID | changes))
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: ")


@pytest.mark.parametrize("months", [0, 61, -1])
def test_prefinancing_months_from_1_to_60_never_0(months: int) -> None:
    with pytest.raises(TermsError) as error:
        Prefinancing(months, PrefinancingMode.CAPITALISED)
    assert error.value.field == "prefinancing.months"


def test_prefinancing_mode_is_checked() -> None:
    with pytest.raises(TermsError) as error:
        Prefinancing(6, "later")  # type: ignore[arg-type]
    assert error.value.field == "prefinancing.mode"


def test_the_index_must_cover_the_drawing_day() -> None:
    # Drawn on 1 Aug 2008 (first period of a loan first due 1 Aug 2009): the Livret A starts that day.
    Terms(**(VALID | {"first_due": date(2009, 8, 1), "rate": IndexedRate(livret_a_history(), D("0.006"))}))
    with pytest.raises(TermsError, match="after the loan is drawn"):
        Terms(
            **VALID
            | {
                "first_due": date(2009, 8, 1),
                "rate": IndexedRate(RateHistory.constant(D("0.01"), date(2008, 8, 2)), D("0.006")),
            }
        )


def test_terms_are_frozen() -> None:
    terms = Terms(**VALID)
    with pytest.raises(AttributeError):
        terms.principal = D(1)  # type: ignore[misc]
