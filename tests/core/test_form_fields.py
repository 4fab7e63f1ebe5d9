"""French numbers in forms: what is read, and what gets a message instead of an error page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from espace.core.form_fields import FrenchDecimalField


class AmountForm(forms.Form):
    amount = FrenchDecimalField(min_value=Decimal(0), unit="€")


@pytest.mark.parametrize(
    ("text", "value"),
    [("1 250 000,50", Decimal("1250000.50")), ("1250000.5", Decimal("1250000.5")), ("12 €", Decimal(12))],
)
def test_french_numbers_are_read(text, value):
    form = AmountForm({"amount": text})
    assert form.is_valid() and form.cleaned_data["amount"] == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e309", "Ce nombre est trop grand."),
        ("1e15", "Ce nombre est trop grand."),
        ("1E-40", "Saisissez au plus 2 chiffres après la virgule."),
        ("NaN", "Saisissez un nombre"),
        ("Infinity", "Saisissez un nombre"),
        ("1,2,3", "Saisissez un nombre"),
        ("9" * 40, "Ce nombre est trop long."),
        ("-1", "La valeur doit être au moins 0,00 €."),
    ],
)
def test_bad_numbers_get_a_french_message(text, message):
    form = AmountForm({"amount": text})
    assert not form.is_valid()
    assert message in form.errors["amount"][0]
