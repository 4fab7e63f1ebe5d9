"""The loan-terms fields are defined once: the tools and the request line ask the same questions."""

from __future__ import annotations

import pytest

from espace.loan_requests.forms import LineForm
from espace.products.enums import Sector
from espace.products.models import Product
from espace.simulators.forms import LandShareForm, LoanSimulationForm

pytestmark = pytest.mark.django_db

SHARED = ["product", "amount", "duration_years", "profile", "progression", "periodicity", "revision"]


def describe(field) -> tuple[object, ...]:
    return (
        type(field),
        field.label,
        field.required,
        getattr(field, "min_value", None),
        getattr(field, "max_value", None),
        dict(field.error_messages),
        list(getattr(field, "choices", [])) if field.label != "Prêt" else None,
        field.widget.attrs.get("class"),
    )


def test_the_simulator_and_the_request_line_share_their_loan_terms_fields():
    products = list(Product.objects.filter(sector=Sector.SOCIAL_HOUSING, published=True, requestable_online=True))
    simulator = LoanSimulationForm(products=products)
    line = LineForm(sector=Sector.SOCIAL_HOUSING)
    for name in SHARED:
        assert describe(simulator.fields[name]) == describe(line.fields[name]), name
    assert simulator.fields["product"].choices == line.fields["product"].choices
    assert simulator.fields["product"].choices[0] == ("", "Choisissez…")
    land_share = LandShareForm(products=products)
    assert describe(land_share.fields["product"]) == describe(simulator.fields["product"])
    assert describe(land_share.fields["first_due"]) == describe(simulator.fields["first_due"])
    assert land_share.fields["loan_amount"].min_value == simulator.fields["amount"].min_value
