"""The one adapter from the lender's data to the engine's terms, and the Livret A's revision dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from espace.finance import (
    FixedRate,
    IndexedRate,
    Periodicity,
    Prefinancing,
    PrefinancingMode,
    Profile,
    RateConvention,
    RateHistory,
    Revision,
    Terms,
    TermsError,
    livret_a,
)
from espace.products.enums import RateIndex
from espace.products.models import Product
from espace.products.selectors import livret_a_next_revision
from espace.products.terms import LoanPart, LoanRate, loan_parts, terms_for

HISTORY = RateHistory(((date(2020, 1, 1), D("0.03")), (date(2027, 2, 1), D("0.002"))))


def product(**fields: object) -> Product:
    values: dict[str, object] = {
        "code": "plus",
        "name": "PLUS",
        "index": RateIndex.LIVRET_A,
        "margin_percent": D("0.6"),
    }
    values.update(fields)
    return Product(**values)


def test_a_products_rate_is_livret_a_plus_its_margin_floored():
    rate = LoanRate.of_product(product(), revision=Revision.DOUBLE).engine_rate(HISTORY)
    assert rate == IndexedRate(index=HISTORY, margin=D("0.006"), revision=Revision.DOUBLE, index_floor=D("0.005"))
    assert rate.rate_at(date(2026, 11, 23)) == D("0.036")
    assert rate.rate_at(date(2027, 3, 1)) == D("0.011")  # 0.20 % floored at 0.50 %, + 0.60 %


def test_an_empty_revision_is_simple_and_a_fixed_rate_product_ignores_the_index():
    assert LoanRate.of_product(product(), revision="").revision == Revision.SIMPLE
    fixed = LoanRate.of_product(product(index=RateIndex.FIXED, fixed_rate_percent=D("2.75")))
    assert fixed.engine_rate(HISTORY) == FixedRate(D("0.0275"))


def test_terms_for_gives_the_engine_every_term_it_is_told():
    rate = LoanRate(index=RateIndex.LIVRET_A, margin=D("-0.002"), revision=Revision.DOUBLE_LIMITEE)
    terms = terms_for(
        rate=rate,
        history=HISTORY,
        principal=D("250000.00"),
        duration_years=30,
        first_due=date(2028, 3, 1),
        profile="echeance_prioritaire",
        periodicity="quarterly",
        progression=D("0.005"),
        rate_convention="proportional",
        deferral_years=2,
        prefinancing_months=12,
        prefinancing_mode="capitalised",
    )
    assert terms == Terms(
        principal=D("250000.00"),
        periodicity=Periodicity.QUARTERLY,
        duration_years=30,
        first_due=date(2028, 3, 1),
        profile=Profile.ECHEANCE_PRIORITAIRE,
        rate=IndexedRate(
            index=HISTORY, margin=D("-0.002"), revision=Revision.DOUBLE_LIMITEE, index_floor=livret_a().floor
        ),
        progression=D("0.005"),
        rate_convention=RateConvention.PROPORTIONAL,
        deferral_years=2,
        prefinancing=Prefinancing(12, PrefinancingMode.CAPITALISED),
    )


def test_terms_for_defaults_to_no_prefinancing_no_deferral_actuarial():
    terms = terms_for(
        rate=LoanRate(index=RateIndex.FIXED, fixed_rate=D("0.02")),
        history=HISTORY,
        principal=D("1000.00"),
        duration_years=5,
        first_due=date(2027, 1, 1),
        profile="amortissement_prioritaire",
        periodicity="annual",
        prefinancing_mode="",
    )
    assert terms.prefinancing is None and terms.deferral_years == 0 and terms.progression == 0
    assert terms.rate_convention is RateConvention.ACTUARIAL and terms.rate == FixedRate(D("0.02"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"periodicity": "weekly"}, "periodicity"),
        ({"profile": "balloon"}, "profile"),
        ({"rate_convention": "simple"}, "rate_convention"),
        ({"prefinancing_months": 6, "prefinancing_mode": ""}, "prefinancing.mode"),
        ({"rate": LoanRate(index=RateIndex.FIXED)}, "rate"),
        ({"rate": LoanRate(index=RateIndex.LIVRET_A, revision="triple")}, "revision"),
        ({"principal": D("0")}, "principal"),
    ],
)
def test_what_the_engine_refuses_is_a_terms_error_naming_the_field(changes, field):
    arguments: dict[str, object] = {
        "rate": LoanRate(index=RateIndex.LIVRET_A, margin=D("0.006")),
        "history": HISTORY,
        "principal": D("1000.00"),
        "duration_years": 5,
        "first_due": date(2027, 1, 1),
        "profile": "echeance_prioritaire",
        "periodicity": "annual",
        **changes,
    }
    with pytest.raises(TermsError) as raised:
        terms_for(**arguments)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_line_with_a_land_part_is_two_loans_each_over_its_duration():
    assert loan_parts(amount=D("1000000"), duration_years=40, land_amount=D("250000"), land_duration_years=50) == [
        LoanPart("Part bâtiment", D("750000"), 40),
        LoanPart("Part foncière", D("250000"), 50),
    ]
    assert loan_parts(amount=D("1000000"), duration_years=40, land_amount=None, land_duration_years=None) == [
        LoanPart("Prêt", D("1000000"), 40)
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-01-31", date(2026, 2, 1)),
        ("2026-02-01", date(2026, 8, 1)),
        ("2026-07-31", date(2026, 8, 1)),
        ("2026-08-01", date(2027, 2, 1)),
        ("2026-12-31", date(2027, 2, 1)),
    ],
)
def test_the_livret_a_next_revision_comes_from_the_index_data(today, expected):
    assert livret_a().revision_dates == ((2, 1), (8, 1))
    with time_machine.travel(f"{today} 12:00:00+01:00", tick=False):
        assert livret_a_next_revision() == expected
    assert livret_a().next_revision(date.fromisoformat(today)) == expected
