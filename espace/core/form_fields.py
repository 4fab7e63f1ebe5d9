"""Form fields for French users: « 1 000 000,50 » is a number, « 01/03/2027 » a date."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from espace.core.formats import number_fr

SPACES = {" ", "\u00a0", "\u202f", "'"}
MAX_TEXT = 30
MAX_DIGITS_BEFORE_POINT = 15  # beyond any amount, surface or rate the service handles


def parse_french_decimal(text: str) -> Decimal:
    """« 1 234 567,89 », « 1234567.89 », « 1 234 567 » → Decimal; ValueError otherwise."""
    cleaned = "".join(ch for ch in text.strip() if ch not in SPACES).replace("€", "").replace("%", "")
    cleaned = cleaned.replace("−", "-")
    if cleaned.count(",") > 1 or ("," in cleaned and "." in cleaned):
        raise ValueError(text)
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


class FrenchDecimalField(forms.Field):
    """A decimal typed the French way, with its unit in the label; limits with clear messages."""

    def __init__(
        self,
        *,
        places: int = 2,
        min_value: Decimal | None = None,
        max_value: Decimal | None = None,
        unit: str = "",
        **kwargs: Any,
    ) -> None:
        self.places = places
        self.min_value = min_value
        self.max_value = max_value
        self.unit = unit
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": MAX_TEXT}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = "" if value is None else str(value).strip()
        if text in self.empty_values:
            return None
        if len(text) > MAX_TEXT:
            raise ValidationError("Ce nombre est trop long.", code="max_length")
        try:
            number = parse_french_decimal(str(text))
        except ValueError:
            raise ValidationError("Saisissez un nombre, par exemple 1 250 000,50.", code="invalid") from None
        if number.adjusted() >= MAX_DIGITS_BEFORE_POINT:  # « 1e309 » is a finite Decimal, and no amount here
            raise ValidationError("Ce nombre est trop grand.", code="max_digits")
        try:
            exact = number == number.quantize(Decimal(1).scaleb(-self.places))
        except InvalidOperation:
            exact = False
        if not exact:
            raise ValidationError(f"Saisissez au plus {self.places} chiffres après la virgule.", code="places")
        return number

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        unit = f" {self.unit}" if self.unit else ""
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(f"La valeur doit être au moins {number_fr(self.min_value, self.places)}{unit}.")
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(f"La valeur doit être au plus {number_fr(self.max_value, self.places)}{unit}.")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return number_fr(value, self.places).replace("\u00a0", " ")
        return value


class FrenchDateField(forms.DateField):
    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid": "Saisissez une date, par exemple 01/03/2027."},
        )
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)
