"""The steps' forms. Invalid data get a message on the field; the rest of the step is kept."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q

from espace.core.form_fields import FrenchDateField, FrenchDecimalField
from espace.establishments.models import Establishment
from espace.establishments.selectors import normalize_client_number
from espace.finance import PrefinancingMode
from espace.loan_requests.enums import OFFICER_STATUSES, HousingZone, OperationNature, RequestKind, RequestStatus
from espace.loan_requests.models import DocumentRequest, LoanRequest, RequestLine
from espace.products.enums import Sector
from espace.products.form_fields import (
    MIN_LOAN_AMOUNT,
    amount_field,
    duration_field,
    loan_amount_field,
    offered_products,
    periodicity_field,
    product_field,
    profile_field,
    progression_field,
    revision_field,
    select,
)
from espace.products.models import Product
from espace.products.rules import check_against_product
from espace.simulators.models import Simulation

PREFINANCING_MODES = [
    ("", "Sans préfinancement"),
    (PrefinancingMode.PAID.value, "Intérêts payés à la fin du préfinancement"),
    (PrefinancingMode.CAPITALISED.value, "Intérêts capitalisés"),
]


class NewRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type de demande",
        choices=RequestKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Choisissez le type de demande."},
    )
    name = forms.CharField(
        label="Nom de l'opération ou du projet",
        max_length=150,
        help_text="Par exemple « 24 logements rue des Tanneurs ». Une demande par projet.",
        error_messages={"max_length": "150 caractères au plus."},
    )


class OperationForm(forms.ModelForm):
    """Step 1 (housing). Nothing is mandatory to save: the step is complete once all is there."""

    class Meta:
        model = LoanRequest
        fields = ["name", "nature", "address", "postal_code", "commune", "insee_code", "zone"]
        widgets = {
            "nature": forms.Select(attrs={"class": "form-select"}),
            "zone": forms.Select(attrs={"class": "form-select"}),
        }
        help_texts = {
            "insee_code": "5 caractères, par exemple 69123 pour Lyon (2A/2B pour la Corse).",
            "zone": "Zone de tension du marché du logement de la commune (Abis, A, B1, B2, C).",
        }
        error_messages = {"name": {"required": "Donnez un nom à l'opération."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nature"].choices = [("", "Choisissez…"), *OperationNature.choices]  # type: ignore[attr-defined]
        self.fields["zone"].choices = [("", "Choisissez…"), *HousingZone.choices]  # type: ignore[attr-defined]
        for name in ("nature", "address", "postal_code", "commune", "insee_code", "zone"):
            self.fields[name].required = False

    def clean_postal_code(self) -> str:
        value = self.cleaned_data.get("postal_code", "").strip()
        if value and not re.fullmatch(r"\d{5}", value):
            raise forms.ValidationError("Le code postal compte 5 chiffres.")
        return value

    def clean_insee_code(self) -> str:
        value = self.cleaned_data.get("insee_code", "").strip().upper()
        if value and not re.fullmatch(r"(\d{5}|2[AB]\d{3})", value):
            raise forms.ValidationError("Le code INSEE compte 5 caractères : 5 chiffres, ou 2A/2B et 3 chiffres.")
        return value


class LocalProjectForm(forms.ModelForm):
    class Meta:
        model = LoanRequest
        fields = ["name", "description", "commune", "insee_code"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5, "class": "form-control"})}
        error_messages = {
            "name": {"required": "Donnez un nom au projet."},
            "description": {"max_length": "4 000 caractères au plus."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("description", "commune", "insee_code"):
            self.fields[name].required = False

    clean_insee_code = OperationForm.clean_insee_code


class LocalFinancingForm(forms.Form):
    requested_amount = amount_field("Montant demandé (€)", minimum=MIN_LOAN_AMOUNT)
    requested_years = forms.IntegerField(
        label="Durée souhaitée (années)",
        required=False,
        min_value=1,
        max_value=60,
        error_messages={
            "invalid": "Saisissez un nombre entier d'années.",
            "min_value": "La durée est d'au moins 1 an.",
            "max_value": "Les prêts au secteur public local vont jusqu'à 60 ans.",
        },
    )


class DwellingForm(forms.Form):
    category = select(
        forms.ChoiceField(
            label="Catégorie de financement", error_messages={"invalid_choice": "Choisissez une catégorie."}
        )
    )
    count = forms.IntegerField(
        label="Nombre de logements",
        min_value=1,
        max_value=10000,
        error_messages={
            "invalid": "Saisissez un nombre entier.",
            "min_value": "Au moins 1 logement.",
            "max_value": "10 000 logements au plus par ligne.",
        },
    )
    surface_m2 = FrenchDecimalField(
        label="Surface habitable totale (m²)", min_value=Decimal(1), max_value=Decimal(10000000), unit="m²"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "Choisissez…"),
            *Product.objects.filter(sector=Sector.SOCIAL_HOUSING, published=True).values_list("name", "name"),
        ]


class PlanForm(forms.Form):
    land_cost = amount_field("Charge foncière (€)")
    building_cost = amount_field("Coût du bâtiment (€)")
    fees_cost = amount_field("Honoraires et frais (€)")
    subsidies_state = amount_field("Subventions de l'État (€)")
    subsidies_local = amount_field("Subventions des collectivités (€)")
    subsidies_other = amount_field("Autres subventions (€)")
    own_funds = amount_field("Fonds propres (€)", help_text="0 s'il n'y en a pas.")
    other_loans = amount_field("Autres prêts, hors fonds d'épargne (€)")


class LineForm(forms.Form):
    product = product_field()
    amount = loan_amount_field()
    duration_years = duration_field()
    land_amount = amount_field(
        "Dont part foncière (€)",
        help_text="Facultatif : la part du montant qui finance le foncier, remboursée sur sa propre durée "
        "(voir l'outil « Calcul de la part foncière »).",
    )
    land_duration_years = duration_field("Durée de la part foncière (années)", required=False)
    prefinancing_months = forms.IntegerField(
        label="Préfinancement (mois)",
        required=False,
        min_value=1,
        max_value=60,
        help_text="Vide s'il n'y a pas de préfinancement ; jamais 0.",
        error_messages={
            "invalid": "Saisissez un nombre entier de mois.",
            "min_value": "Un préfinancement dure au moins 1 mois : laissez vide s'il n'y en a pas.",
            "max_value": "60 mois au plus.",
        },
    )
    prefinancing_mode = select(
        forms.ChoiceField(
            label="Intérêts de préfinancement",
            required=False,
            choices=PREFINANCING_MODES,
            error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        )
    )
    profile = profile_field()
    progression = progression_field(help_text="Pour le profil « échéance prioritaire » (0 si vide).")
    periodicity = periodicity_field()
    revision = revision_field()

    def __init__(self, *args: Any, sector: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = offered_products(
            self, Product.objects.filter(sector=sector, published=True, requestable_online=True)
        )

    @classmethod
    def initial_from(cls, line: RequestLine) -> dict[str, Any]:
        return {
            "product": line.product.code,
            "amount": line.amount,
            "duration_years": line.duration_years,
            "land_amount": line.land_amount,
            "land_duration_years": line.land_duration_years,
            "prefinancing_months": line.prefinancing_months,
            "prefinancing_mode": line.prefinancing_mode,
            "profile": line.profile,
            "progression": (line.progression * 100).normalize() if line.progression else None,
            "periodicity": line.periodicity,
            "revision": line.revision,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = self.products.get(data.get("product", ""))
        progression_percent = data.get("progression") or Decimal(0)
        data["progression"] = progression_percent
        if product is not None:
            check_against_product(self, data, product)
            data["product"] = product
        data["progression"] = progression_percent / 100
        months, mode = data.get("prefinancing_months"), data.get("prefinancing_mode")
        if bool(months) != bool(mode):
            self.add_error(
                "prefinancing_mode" if months else "prefinancing_months",
                "Durée et mode de paiement des intérêts de préfinancement : les deux, ou aucun.",
            )
        elif months and product is not None and product.prefinancing_max_months:
            low, high = product.prefinancing_min_months or 1, product.prefinancing_max_months
            if not low <= months <= high:
                self.add_error("prefinancing_months", f"Le préfinancement du {product.name} va de {low} à {high} mois.")
        land, land_years, amount = data.get("land_amount"), data.get("land_duration_years"), data.get("amount")
        if land is not None and land == 0:
            data["land_amount"] = land = None
        if bool(land) != bool(land_years):
            self.add_error(
                "land_duration_years" if land else "land_amount",
                "Part foncière et sa durée : les deux, ou aucune.",
            )
        elif land and product is not None:
            if not product.has_land_part:
                self.add_error("land_amount", f"Le {product.name} n'a pas de part foncière distincte.")
            elif product.land_max_years and land_years and land_years > product.land_max_years:
                self.add_error(
                    "land_duration_years",
                    f"La part foncière du {product.name} va jusqu'à {product.land_max_years} ans.",
                )
            if amount is not None and land >= amount:
                self.add_error("land_amount", "La part foncière est une partie du montant : elle lui est inférieure.")
        return data


class GuaranteesForm(forms.Form):
    """Step 5 for one line: up to three guarantors (client number or exact name) and the CGLLS."""

    ROWS = 3
    cglls_share = FrenchDecimalField(
        label="Quotité garantie par la CGLLS (%)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal(100),
        unit="%",
        help_text="À défaut de garantie des collectivités.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(1, self.ROWS + 1):
            self.fields[f"guarantor_{index}"] = forms.CharField(
                label=f"Garant {index} : numéro client ou raison sociale",
                required=False,
                max_length=200,
                help_text="Commune, département, EPCI… tel qu'il est connu du prêteur." if index == 1 else "",
            )
            self.fields[f"share_{index}"] = FrenchDecimalField(
                label=f"Garant {index} : quotité (%)",
                required=False,
                min_value=Decimal("0.001"),
                max_value=Decimal(100),
                unit="%",
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"guarantor_{i}"], self[f"share_{i}"]) for i in range(1, self.ROWS + 1)]

    @staticmethod
    def find_guarantor(text: str) -> Establishment | None:
        text = text.strip()
        number = normalize_client_number(text)
        match = Establishment.objects.filter(Q(legal_name__iexact=text) | Q(client_number=number), is_guarantor=True)
        found = list(match[:2])
        return found[0] if len(found) == 1 else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items: list[tuple[Establishment | None, Decimal]] = []
        for index in range(1, self.ROWS + 1):
            text, share = data.get(f"guarantor_{index}", "").strip(), data.get(f"share_{index}")
            if not text and share is None:
                continue
            if not text:
                self.add_error(f"guarantor_{index}", "Indiquez le garant de cette quotité.")
                continue
            if share is None:
                self.add_error(f"share_{index}", "Indiquez la quotité garantie.")
                continue
            guarantor = self.find_guarantor(text)
            if guarantor is None:
                self.add_error(
                    f"guarantor_{index}",
                    "Garant inconnu : saisissez son numéro client (sans les 0 initiaux) ou sa raison sociale exacte.",
                )
                continue
            items.append((guarantor, share))
        if data.get("cglls_share"):
            items.append((None, data["cglls_share"]))
        data["items"] = items
        return data


class CommentForm(forms.ModelForm):
    class Meta:
        model = LoanRequest
        fields = ["comment", "simulation"]
        widgets = {
            "comment": forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
            "simulation": forms.Select(attrs={"class": "form-select"}),
        }
        labels = {
            "comment": "Commentaire pour votre direction régionale (facultatif)",
            "simulation": "Joindre une simulation enregistrée (facultatif)",
        }
        help_texts = {
            "simulation": "Les simulations enregistrées dans « Outils et simulateurs » par votre établissement."
        }
        error_messages = {
            "comment": {"max_length": "4 000 caractères au plus."},
            "simulation": {"invalid_choice": "Choisissez une simulation de la liste."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["simulation"]
        field.queryset = Simulation.objects.filter(establishment=self.instance.establishment)  # type: ignore[attr-defined]
        field.empty_label = "Aucune"  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
    )


class ComplementForm(UploadForm):
    document_request = forms.ModelChoiceField(
        label="En réponse à",
        queryset=DocumentRequest.objects.none(),
        required=False,
        empty_label="Document complémentaire (sans demande)",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une demande de la liste."},
    )

    def __init__(self, *args: Any, loan_request: LoanRequest, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "complement_%s")  # several forms share a page: ids stay unique
        super().__init__(*args, **kwargs)
        self.fields["document_request"].queryset = loan_request.document_requests.filter(  # type: ignore[attr-defined]
            fulfilled_at__isnull=True
        )


class MessageForm(forms.Form):
    """Shown next to other forms: its ids are prefixed so that they stay unique on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "message_%s")
        super().__init__(*args, **kwargs)

    body = forms.CharField(
        label="Votre message",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": "Écrivez votre message.", "max_length": "4 000 caractères au plus."},
    )
    file = forms.FileField(
        label="Pièce jointe (facultatif)", required=False, widget=forms.FileInput(attrs={"class": "form-control"})
    )


class FilterForm(forms.Form):
    q = forms.CharField(label="Nom ou numéro de dossier", required=False, max_length=100)
    status = select(
        forms.ChoiceField(
            label="Statut",
            required=False,
            error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        )
    )
    kind = select(
        forms.ChoiceField(
            label="Type",
            required=False,
            choices=[("", "Tous"), *RequestKind.choices],
            error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        )
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Tous"), *RequestStatus.choices]  # type: ignore[attr-defined]


# Back office.


class DocumentsRequestForm(forms.Form):
    """Shown next to other forms: its ids are prefixed so that they stay unique on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "documents_%s")
        super().__init__(*args, **kwargs)

    reason = forms.CharField(
        label="Documents demandés",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Indiquez les documents demandés.", "max_length": "2 000 caractères au plus."},
    )
    due_on = FrenchDateField(label="À fournir avant le")


class StatusForm(forms.Form):
    """Shown next to other forms: its ids are prefixed so that they stay unique on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "status_%s")
        super().__init__(*args, **kwargs)

    status = select(
        forms.ChoiceField(
            label="Nouveau statut",
            choices=[(status.value, status.label) for status in OFFICER_STATUSES],
            error_messages={"required": "Choisissez un statut.", "invalid_choice": "Choisissez un statut de la liste."},
        )
    )
    note = forms.CharField(
        label="Note de décision (envoyée à l'établissement)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ContractForm(forms.Form):
    """Shown next to other forms: its ids are prefixed so that they stay unique on the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "contract_%s")
        super().__init__(*args, **kwargs)

    number = forms.CharField(
        label="Numéro de contrat",
        max_length=24,
        error_messages={"required": "Indiquez le numéro du contrat signé."},
    )
    signed_on = FrenchDateField(label="Signé le")
    first_due = FrenchDateField(label="Date de la première échéance")

    def clean_number(self) -> str:
        value = self.cleaned_data["number"].strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{2,23}", value):
            raise forms.ValidationError("Lettres, chiffres et tirets, de 3 à 24 caractères.")
        return value
