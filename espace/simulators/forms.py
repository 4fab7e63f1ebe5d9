"""The tools' forms. Inputs outside a product's range get a message on the field, never an error page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from espace.core import clock
from espace.core.form_fields import FrenchDecimalField
from espace.finance import Acquisition, Zone
from espace.finance.dates import add_months
from espace.products.form_fields import (
    MAX_AMOUNT,
    LivretAScenarioForm,
    amount_field,
    duration_field,
    first_due_field,
    loan_amount_field,
    offered_products,
    periodicity_field,
    product_choices,
    product_field,
    profile_field,
    progression_field,
    revision_field,
)
from espace.products.models import Product
from espace.products.rules import check_against_product


def default_first_due() -> date:
    """The 1st of the month, a year after next month: a plausible first instalment for a new loan."""
    today = clock.today()
    return add_months(date(today.year, today.month, 1), 13)


class LoanSimulationForm(LivretAScenarioForm):
    product = product_field()
    amount = loan_amount_field()
    duration_years = duration_field()
    profile = profile_field()
    progression = progression_field(
        help_text="Croissance annuelle des échéances, pour le profil « échéance prioritaire » (0 si vide)."
    )
    periodicity = periodicity_field()
    revision = revision_field(help_text="Comment le prêt suit le Livret A (prêts indexés).")
    first_due = first_due_field()
    # the scenarios' two fields (from LivretAScenarioForm) come last, as the page shows them
    field_order = [
        "product",
        "amount",
        "duration_years",
        "profile",
        "progression",
        "periodicity",
        "revision",
        "first_due",
        "shift_from",
        "index_path",
    ]

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = offered_products(self, products)

    def clean_progression(self) -> Decimal:
        return self.cleaned_data.get("progression") or Decimal(0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product: Product | None = self.products.get(data.get("product", ""))
        if product is None:
            return data
        data["product_obj"] = product
        check_against_product(self, data, product)
        return data


class LandShareForm(forms.Form):
    MODE_CHOICES = [
        ("costs", "D'après la décomposition du prix de revient"),
        ("flat", "Forfait par zone (VEFA sans décomposition, acquisition, acquisition-amélioration)"),
    ]
    product = product_field()
    mode = forms.ChoiceField(
        label="Mode de calcul",
        choices=MODE_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="costs",
    )
    land_cost = FrenchDecimalField(label="Charge foncière (€)", required=False, min_value=Decimal(0), unit="€")
    building_cost = FrenchDecimalField(label="Coût du bâtiment (€)", required=False, min_value=Decimal(0), unit="€")
    fees = FrenchDecimalField(label="Honoraires et frais (€)", required=False, min_value=Decimal(0), unit="€")
    subsidies = FrenchDecimalField(label="Subventions (€)", required=False, min_value=Decimal(0), unit="€")
    cost_price = FrenchDecimalField(
        label="Prix de revient (€)",
        required=False,
        min_value=Decimal("1"),
        max_value=MAX_AMOUNT,
        unit="€",
        help_text="Pour le forfait par zone. D'après la décomposition, il est la somme des trois postes.",
    )
    zone = forms.ChoiceField(
        label="Zone", required=False, choices=[("", "Choisissez…"), *[(z.value, z.value) for z in Zone]]
    )
    acquisition = forms.ChoiceField(
        label="Type d'opération",
        required=False,
        choices=[
            ("", "Choisissez…"),
            (Acquisition.VEFA.value, "VEFA sans décomposition du prix"),
            (Acquisition.ACQUISITION.value, "Acquisition"),
            (Acquisition.ACQUISITION_AMELIORATION.value, "Acquisition-amélioration"),
        ],
    )
    loan_amount = loan_amount_field("Montant total du prêt (€)")
    building_years = forms.IntegerField(
        label="Durée du prêt construction (années)",
        min_value=1,
        max_value=80,
        error_messages={"invalid": "Saisissez un nombre entier d'années."},
    )
    land_years = forms.IntegerField(
        label="Durée du prêt foncier (années)",
        min_value=1,
        max_value=80,
        error_messages={"invalid": "Saisissez un nombre entier d'années."},
    )
    first_due = first_due_field()

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = offered_products(self, products)
        for name in ("zone", "acquisition"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = self.products.get(data.get("product", ""))
        if product is None:
            return data
        data["product_obj"] = product
        if data.get("mode") == "costs":
            for name in ("land_cost", "building_cost"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Ce champ est obligatoire pour un calcul d'après le prix de revient.")
            land, building = data.get("land_cost"), data.get("building_cost")
            if land is not None and building is not None:
                data["cost_price"] = land + building + (data.get("fees") or Decimal(0))
                if data["cost_price"] <= 0:
                    self.add_error("building_cost", "Le prix de revient doit être positif.")
                elif (data.get("subsidies") or Decimal(0)) > data["cost_price"]:
                    self.add_error("subsidies", "Les subventions dépassent le prix de revient.")
        elif data.get("mode") == "flat":
            for name in ("cost_price", "zone", "acquisition"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Ce champ est obligatoire pour un calcul forfaitaire.")
        building_years, land_years = data.get("building_years"), data.get("land_years")
        if building_years is not None and not product.min_years <= building_years <= product.max_years:
            self.add_error(
                "building_years", f"Le {product.name} se prête de {product.min_years} à {product.max_years} ans."
            )
        if land_years is not None and product.land_max_years and land_years > product.land_max_years:
            self.add_error(
                "land_years", f"La part foncière du {product.name} se prête jusqu'à {product.land_max_years} ans."
            )
        return data


class SaveForm(forms.Form):
    name = forms.CharField(
        label="Nom de la simulation",
        max_length=120,
        error_messages={"max_length": "120 caractères au plus."},
    )


DWELLING_TYPES = ["T1", "T2", "T3", "T4", "T5 et plus"]
LOAN_LINES = 4


def _rate(label: str, *, low: str = "0", high: str = "100", help_text: str = "") -> FrenchDecimalField:
    return FrenchDecimalField(
        label=label, required=False, min_value=Decimal(low), max_value=Decimal(high), unit="%", help_text=help_text
    )


class BalanceForm(forms.Form):
    """« Simulation d'équilibre d'opération »: dwellings and rents, financing plan, charges, indexation."""

    first_year = forms.IntegerField(
        label="Première année de location",
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": "Saisissez une année.",
            "min_value": "Année trop ancienne.",
            "max_value": "Année trop lointaine.",
        },
    )
    analysis_years = forms.IntegerField(
        label="Durée d'analyse (années)",
        min_value=1,
        max_value=60,
        error_messages={
            "invalid": "Saisissez un nombre d'années.",
            "min_value": "Au moins 1 an.",
            "max_value": "Au plus 60 ans.",
        },
    )
    cost_price = FrenchDecimalField(label="Prix de revient (€)", min_value=Decimal(1), max_value=MAX_AMOUNT, unit="€")
    subsidies = amount_field("Subventions (€)")
    own_funds = amount_field("Fonds propres (€)")
    own_funds_return = _rate("Rémunération des fonds propres (% par an)", high="20")
    other_income = amount_field("Autres produits par an : parkings, commerces (€)")
    vacancy = _rate("Vacance (% des loyers)")
    unpaid = _rate("Impayés (% des loyers)")
    management = amount_field("Frais de gestion par logement et par an (€)")
    maintenance = amount_field("Entretien courant par logement et par an (€)")
    major_maintenance = amount_field("Gros entretien par logement et par an (€)")
    property_tax = amount_field("Taxe foncière par an, après exonération (€)")
    property_tax_exemption_years = forms.IntegerField(
        label="Exonération de taxe foncière (années)",
        required=False,
        min_value=0,
        max_value=60,
        error_messages={
            "invalid": "Saisissez un nombre d'années.",
            "min_value": "0 au moins.",
            "max_value": "60 au plus.",
        },
    )
    rent_indexation = _rate("Indexation annuelle des loyers (%)", low="-10", high="10")
    cost_indexation = _rate("Indexation annuelle des charges (%)", low="-10", high="10")

    def __init__(self, *args: Any, products: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = {product.code: product for product in products}
        for index, label in enumerate(DWELLING_TYPES, start=1):
            self.fields[f"dw{index}_count"] = forms.IntegerField(
                label=f"{label} : nombre",
                required=False,
                min_value=0,
                max_value=10000,
                error_messages={
                    "invalid": "Saisissez un nombre entier.",
                    "min_value": "0 au moins.",
                    "max_value": "10 000 au plus.",
                },
            )
            self.fields[f"dw{index}_surface"] = FrenchDecimalField(
                label=f"{label} : surface par logement (m²)",
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(1000),
                unit="m²",
            )
            self.fields[f"dw{index}_rent"] = FrenchDecimalField(
                label=f"{label} : loyer (€ par m² et par mois)",
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                unit="€",
            )
        choices = [("", "—"), *product_choices(products)]
        for index in range(1, LOAN_LINES + 1):
            self.fields[f"loan{index}_product"] = forms.ChoiceField(
                label=f"Prêt {index}",
                required=False,
                choices=choices,
                error_messages={"invalid_choice": "Choisissez un prêt de la liste."},
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"loan{index}_amount"] = amount_field(f"Prêt {index} : montant (€)")
            self.fields[f"loan{index}_years"] = forms.IntegerField(
                label=f"Prêt {index} : durée (années)",
                required=False,
                min_value=1,
                max_value=80,
                error_messages={
                    "invalid": "Saisissez un nombre d'années.",
                    "min_value": "1 an au moins.",
                    "max_value": "80 ans au plus.",
                },
            )

    def dwelling_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"dw{i}_count"], self[f"dw{i}_surface"], self[f"dw{i}_rent"]]
            for i in range(1, len(DWELLING_TYPES) + 1)
        ]

    def loan_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"loan{i}_product"], self[f"loan{i}_amount"], self[f"loan{i}_years"]]
            for i in range(1, LOAN_LINES + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dwellings = []
        for index in range(1, len(DWELLING_TYPES) + 1):
            count, surface, rent = (data.get(f"dw{index}_{part}") for part in ("count", "surface", "rent"))
            if count:
                if not surface:
                    self.add_error(f"dw{index}_surface", "Indiquez la surface de ces logements.")
                if rent is None:
                    self.add_error(f"dw{index}_rent", "Indiquez le loyer de ces logements.")
                if surface and rent is not None:
                    dwellings.append((count, surface, rent))
        if not dwellings and not any(f"dw{i}_count" in self.errors for i in range(1, len(DWELLING_TYPES) + 1)):
            self.add_error(
                "dw1_count", "Indiquez au moins un type de logement avec son nombre, sa surface et son loyer."
            )
        data["dwellings"] = dwellings
        loans = []
        for index in range(1, LOAN_LINES + 1):
            code, amount, years = (data.get(f"loan{index}_{part}") for part in ("product", "amount", "years"))
            if not (code or amount or years):
                continue
            product = self.products.get(code or "")
            if product is None:
                self.add_error(f"loan{index}_product", "Choisissez le prêt de cette ligne.")
                continue
            if not amount:
                self.add_error(f"loan{index}_amount", "Indiquez le montant de ce prêt.")
            if years is None:
                self.add_error(f"loan{index}_years", "Indiquez la durée de ce prêt.")
            elif not product.min_years <= years <= product.max_years:
                self.add_error(
                    f"loan{index}_years",
                    f"Le {product.name} se prête de {product.min_years} à {product.max_years} ans.",
                )
            elif amount:
                loans.append((product, amount, years))
        data["loans"] = loans
        if (data.get("vacancy") or 0) + (data.get("unpaid") or 0) > 100:
            self.add_error("unpaid", "Vacance et impayés ensemble ne peuvent dépasser 100 % des loyers.")
        return data
