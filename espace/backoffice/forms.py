from django import forms

from espace.letters.enums import LetterRequestStatus, LetterStatus
from espace.support.enums import ContactStatus, Team


class EstablishmentSearchForm(forms.Form):
    q = forms.CharField(label="Numéro client ou raison sociale", max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", max_length=300, error_messages={"required": "Indiquez le motif."})


class LetterFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), *LetterStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Statut inconnu."},
    )


class LetterRequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Toutes"), *LetterRequestStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Statut inconnu."},
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus (envoyé par e-mail au demandeur)",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Indiquez le motif du refus : il est envoyé par e-mail au demandeur."},
    )


class ContactFilterForm(forms.Form):
    team = forms.ChoiceField(
        label="Équipe",
        required=False,
        choices=[("", "Toutes"), *Team.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Équipe inconnue."},
    )
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), *ContactStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Statut inconnu."},
    )
    q = forms.CharField(label="Établissement, numéro client ou référence", max_length=200, required=False)
