"""A request line with a land part is simulated as two loans, each over its own duration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from espace.finance import schedule
from espace.loan_requests.models import RequestLine
from espace.loan_requests.steps import schedule_parts, simulated_first_due
from espace.products.models import Product
from espace.products.selectors import livret_a_history
from espace.products.terms import LoanRate, terms_for
from tests.loan_requests.factories import LoanRequestFactory

pytestmark = pytest.mark.django_db


def test_a_line_with_a_land_part_is_two_schedules_each_over_its_duration(clock):
    plus = Product.objects.get(code="plus")
    line = RequestLine.objects.create(
        request=LoanRequestFactory(),
        product=plus,
        amount=Decimal("1000000.00"),
        duration_years=40,
        land_amount=Decimal("250000.00"),
        land_duration_years=50,
        prefinancing_months=12,
        prefinancing_mode="paid",
        profile="echeance_prioritaire",
        progression=Decimal("0.005"),
        periodicity="annual",
        revision="double",
    )
    history = livret_a_history()
    parts = schedule_parts(line, history)
    assert [part.label for part in parts] == ["Part bâtiment", "Part foncière"]
    for part, (principal, years) in zip(parts, ((Decimal("750000.00"), 40), (Decimal("250000.00"), 50)), strict=True):
        expected = schedule(
            terms_for(
                rate=LoanRate.of_product(plus, revision="double"),
                history=history,
                principal=principal,
                duration_years=years,
                first_due=simulated_first_due(line),
                profile="echeance_prioritaire",
                periodicity="annual",
                progression=Decimal("0.005"),
                prefinancing_months=12,
                prefinancing_mode="paid",
            )
        )
        assert part.schedule == expected
        assert len(expected.rows) == years + 1  # the pre-financing row, then one instalment a year


def test_a_line_without_land_part_is_one_loan(clock):
    line = RequestLine(
        product=Product.objects.get(code="plus"),
        amount=Decimal("500000.00"),
        duration_years=30,
        profile="echeance_prioritaire",
        periodicity="quarterly",
    )
    parts = schedule_parts(line, livret_a_history())
    assert [part.label for part in parts] == ["Prêt"]
    assert len(parts[0].schedule.rows) == 120
