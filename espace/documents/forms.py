from __future__ import annotations

from typing import Any, cast

from django import forms

from espace.core.uploads import CheckedUpload
from espace.documents.enums import DocumentKind, ResourceCategory
from espace.documents.services import library_file_check
from espace.products.models import Product


def _select(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        **kwargs,
    )


class LibraryFilterForm(forms.Form):
    kind = _select(label="Type de document", choices=[("", "Tous"), *DocumentKind.choices])
    year = forms.TypedChoiceField(
        label="Année",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une année de la liste."},
    )
    loan = forms.CharField(label="Prêt ou contrat (numéro)", max_length=30, required=False)
    dossier = forms.CharField(label="Dossier (numéro)", max_length=20, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.TypedChoiceField, self.fields["year"])
        year.choices = [("", "Toutes"), *((str(value), str(value)) for value in years)]


class DeliberationTemplateForm(forms.Form):
    title = forms.CharField(
        label="Titre du document",
        max_length=200,
        help_text="Les variables y sont acceptées, par exemple : Garantie d'emprunt accordée à {{ emprunteur }}.",
    )
    body = forms.CharField(
        label="Texte du modèle",
        max_length=20000,
        error_messages={"max_length": "Le texte dépasse 20 000 caractères."},
        widget=forms.Textarea(attrs={"rows": 24, "class": "form-control font-monospace", "spellcheck": "true"}),
        help_text="« # » en début de ligne : titre ; « ## » : intertitre ; « - » : élément de liste ; une ligne vide "
        "sépare les paragraphes. Variables entre doubles accolades, par exemple {{ montant }}.",
    )
    note = forms.CharField(
        label="Note de version (facultative)",
        max_length=200,
        required=False,
        help_text="Ce qui change, pour l'historique des versions.",
    )


class _UploadMixin(forms.Form):
    file = forms.FileField(
        label="Fichier",
        help_text="PDF, document Word, Excel ou OpenDocument ; 25 Mo au plus. Il est analysé par l'antivirus.",
        error_messages={"invalid": "Le fichier envoyé est illisible.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_upload: CheckedUpload | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            self.checked_upload = library_file_check(upload)
        return upload


class ResourceForm(_UploadMixin):
    title = forms.CharField(label="Intitulé", max_length=200)
    category = forms.ChoiceField(
        label="Catégorie",
        choices=ResourceCategory.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une catégorie de la liste."},
    )
    product = forms.ModelChoiceField(
        label="Produit concerné (facultatif)",
        queryset=Product.objects.all(),
        required=False,
        empty_label="Aucun",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez un produit de la liste."},
    )
    description = forms.CharField(
        label="Description (facultative)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    field_order = ["title", "category", "product", "description", "file"]


class ResourceVersionForm(_UploadMixin):
    note = forms.CharField(label="Note de version (facultative)", max_length=200, required=False)
