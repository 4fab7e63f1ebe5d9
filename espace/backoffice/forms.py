from typing import Any

from django import forms

from espace.letters.enums import LetterRequestStatus, LetterStatus
from espace.support.enums import ContactStatus, Team


class OtpForm(forms.Form):
    token = forms.CharField(
        label="Code de vérification",
        max_length=24,
        help_text="Le code à 6 chiffres de votre application d'authentification, ou un code de secours.",
        # Recovery codes have letters: no numeric keypad here.
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, totp_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if totp_only:
            token = self.fields["token"]
            token.help_text = "Le code à 6 chiffres affiché par votre application d'authentification."
            token.widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})


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
