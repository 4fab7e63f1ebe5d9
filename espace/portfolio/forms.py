from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from espace.core import clock
from espace.core.form_fields import FrenchDateField, FrenchDecimalField
from espace.portfolio.disbursements import ProposedDisbursement
from espace.portfolio.enums import LineStatus
from espace.portfolio.models import PlannedDisbursement
from espace.portfolio.selectors import LoanFilters
from espace.products.form_fields import LivretAScenarioForm
from espace.products.models import Product

SORT_CHOICES = [
    ("numero", "Numéro"),
    ("produit", "Produit"),
    ("encours", "Capital restant dû"),
    ("echeance", "Dernière échéance"),
]


def _select(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        **kwargs,
    )


class LinesFilterForm(forms.Form):
    number = forms.CharField(label="Numéro de contrat ou de ligne", max_length=30, required=False)
    product = _select(label="Produit")
    status = _select(label="Statut", choices=[("", "Tous"), *LineStatus.choices])
    guarantor = _select(label="Garant")
    maturity_year = forms.IntegerField(
        label="Année de dernière échéance",
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "Saisissez une année.",
            "min_value": "Année trop ancienne.",
            "max_value": "Année trop lointaine.",
        },
    )
    sort = _select(label="Trier par", choices=SORT_CHOICES)

    def __init__(self, *args: Any, guarantors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["product"]).choices = [
            ("", "Tous"),
            *Product.objects.values_list("code", "name"),
        ]
        cast(forms.ChoiceField, self.fields["guarantor"]).choices = [("", "Tous"), *guarantors]

    def filters(self) -> LoanFilters:
        """The filters the form was sent with; none (every loan) when it was not sent or has errors."""
        if not self.is_bound or not self.is_valid():
            return LoanFilters()
        data = self.cleaned_data
        return LoanFilters(
            number=data["number"],
            product=data["product"],
            status=data["status"],
            guarantor=data["guarantor"],
            maturity_year=data["maturity_year"],
            sort=data["sort"] or "numero",
        )


class GuaranteedFilterForm(forms.Form):
    """The guaranteed-debt page narrowed to one borrower (the choices: the borrowers it guarantees)."""

    borrower = _select(label="Emprunteur")

    def __init__(self, *args: Any, borrowers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["borrower"]).choices = [("", "Tous"), *borrowers]

    def chosen(self) -> str:
        """The chosen borrower's public id; none (every borrower) when not sent or invalid."""
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data["borrower"])


class ScenarioForm(LivretAScenarioForm):
    """The projections' scenarios (a line's, the portfolio's)."""


class StatementForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Année",
        coerce=int,
        error_messages={"required": "Choisissez une année.", "invalid_choice": "Choisissez une année de la liste."},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = clock.today().year
        years = cast(forms.TypedChoiceField, self.fields["year"])
        years.choices = [(year, str(year)) for year in range(this_year, this_year - 10, -1)]


class DisbursementChangeForm(forms.Form):
    """One date and one amount per planned disbursement, and the reason."""

    reason = forms.CharField(
        label="Motif de la demande",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"max_length": "2 000 caractères au plus."},
    )

    def __init__(self, *args: Any, planned: list[PlannedDisbursement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.planned = planned
        for index, item in enumerate(planned, start=1):
            self.fields[f"date_{item.pk}"] = FrenchDateField(label=f"Versement {index} : date", initial=item.planned_on)
            self.fields[f"amount_{item.pk}"] = FrenchDecimalField(
                label=f"Versement {index} : montant (€)", min_value=Decimal("0.01"), unit="€", initial=item.amount
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"date_{item.pk}"], self[f"amount_{item.pk}"]) for item in self.planned]

    def proposal(self) -> list[ProposedDisbursement]:
        return [
            ProposedDisbursement(item.pk, self.cleaned_data[f"date_{item.pk}"], self.cleaned_data[f"amount_{item.pk}"])
            for item in self.planned
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accept", "Accepter"), ("refuse", "Refuser")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    note = forms.CharField(
        label="Note (envoyée à l'établissement)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
