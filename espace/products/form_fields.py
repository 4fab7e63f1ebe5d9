"""The loan-terms fields the tools and the request lines share: one label, one limit, one message each.

The simulators' forms and the loan request's line form ask the same questions (which product,
how much, how long, which profile, progression, periodicity, revision); each field is built here
so the wording and the limits cannot drift apart. A product's own ranges are checked afterwards
by `espace.products.rules.check_against_product`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django import forms

from espace.core.form_fields import FrenchDateField, FrenchDecimalField
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS
from espace.products.models import Product
from espace.products.scenarios import parse_index_path

MAX_AMOUNT = Decimal("999999999.99")
MIN_LOAN_AMOUNT = Decimal("1000")

F = TypeVar("F", bound=forms.Field)


def select(field: F) -> F:
    """A choice field drawn as the theme's select."""
    field.widget.attrs["class"] = "form-select"
    return field


def product_choices(products: Iterable[Product]) -> list[tuple[str, str]]:
    """« PLUS — Prêt locatif à usage social »: the products a form offers, by code."""
    return [(product.code, f"{product.name} — {product.full_name}") for product in products]


def product_field() -> forms.ChoiceField:
    """« Prêt »: its choices are set by the form from the products it offers (`offered_products`)."""
    return select(forms.ChoiceField(label="Prêt", error_messages={"invalid_choice": "Choisissez un prêt."}))


def offered_products(form: forms.Form, products: Iterable[Product]) -> dict[str, Product]:
    """Offer `products` in the form's « Prêt » field (after « Choisissez… »); returns them by code."""
    offered = {product.code: product for product in products}
    form.fields["product"].choices = [("", "Choisissez…"), *product_choices(offered.values())]  # type: ignore[attr-defined]
    return offered


def amount_field(
    label: str, *, required: bool = False, minimum: Decimal = Decimal(0), help_text: str = ""
) -> FrenchDecimalField:
    """An amount in euros, up to 999 999 999,99 €."""
    return FrenchDecimalField(
        label=label, required=required, min_value=minimum, max_value=MAX_AMOUNT, unit="€", help_text=help_text
    )


def loan_amount_field(label: str = "Montant (€)") -> FrenchDecimalField:
    """The amount lent: 1 000 € at least."""
    return amount_field(label, required=True, minimum=MIN_LOAN_AMOUNT)


def duration_field(label: str = "Durée (années)", *, required: bool = True, help_text: str = "") -> forms.IntegerField:
    """A loan's duration in whole years, 1 to 80 (the product's own range is checked by the form)."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=80,
        help_text=help_text,
        error_messages={
            "invalid": "Saisissez un nombre entier d'années.",
            "min_value": "La durée est d'au moins 1 an.",
            "max_value": "La durée est d'au plus 80 ans.",
        },
    )


def profile_field() -> forms.ChoiceField:
    return select(
        forms.ChoiceField(
            label="Profil d'amortissement",
            choices=list(PROFILE_LABELS.items()),
            error_messages={"invalid_choice": "Choisissez un profil."},
        )
    )


def progression_field(*, help_text: str) -> FrenchDecimalField:
    """The yearly progression of the instalments, in percent (−10 to 10), empty for 0."""
    return FrenchDecimalField(
        label="Progressivité des échéances (% par an)",
        required=False,
        min_value=Decimal("-10"),
        max_value=Decimal("10"),
        unit="%",
        help_text=help_text,
    )


def periodicity_field() -> forms.ChoiceField:
    return select(
        forms.ChoiceField(
            label="Périodicité des échéances",
            choices=list(PERIODICITY_LABELS.items()),
            error_messages={"invalid_choice": "Choisissez une périodicité."},
        )
    )


def revision_field(*, help_text: str = "") -> forms.ChoiceField:
    """Optional: an indexed product's first revision mode is taken when empty (`check_against_product`)."""
    return select(
        forms.ChoiceField(
            label="Révision",
            required=False,
            choices=list(REVISION_LABELS.items()),
            error_messages={"invalid_choice": "Choisissez un mode de révision."},
            help_text=help_text,
        )
    )


def first_due_field() -> FrenchDateField:
    return FrenchDateField(label="Date de la première échéance")


class LivretAScenarioForm(forms.Form):
    """The two questions of the Livret A scenarios, asked by the loan simulator and by the
    portfolio's projections: when the ±1 point moves start, and an optional path of rates."""

    shift_from = FrenchDateField(
        label="Livret A ±1 point : à partir du",
        required=False,
        help_text="Date à laquelle le Livret A monte ou baisse d'un point dans les scénarios.",
    )
    index_path = forms.CharField(
        label="Trajectoire du Livret A (facultatif)",
        required=False,
        max_length=500,
        help_text="Une date et un taux par étape, séparés par des points-virgules : 01/08/2027 : 1,8 ; 01/02/2028 : 2",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_index_path(self) -> list[tuple[date, Decimal]]:
        text = self.cleaned_data.get("index_path", "")
        if not text.strip():
            return []
        try:
            return parse_index_path(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
