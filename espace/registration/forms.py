"""The forms of « Créer mon compte » and of the first login."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from espace.accounts.enums import REQUESTABLE_PERMISSIONS
from espace.accounts.forms import email_field, password_field, phone_field
from espace.accounts.validators import PASSWORD_RULE_TEXT
from espace.core.captcha import CaptchaField


class ClientNumberForm(forms.Form):
    client_number = forms.CharField(
        label="Numéro client",
        max_length=20,
        help_text="Ne pas saisir les 000 qui peuvent se trouver devant les 5 ou 6 chiffres de votre numéro.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    captcha = CaptchaField()

    def clean_client_number(self) -> str:
        value = "".join(self.cleaned_data["client_number"].split())
        if not value.isdigit():
            raise ValidationError("Le numéro client ne contient que des chiffres.")
        return value


class AdministratorTermsForm(forms.Form):
    accept_admin_role = forms.BooleanField(
        label="J'accepte le rôle d'administrateur",
        error_messages={"required": "Vous devez accepter le rôle d'administrateur pour poursuivre."},
    )
    accept_terms = forms.BooleanField(
        label="J'accepte les CGU", error_messages={"required": "Vous devez accepter les CGU pour poursuivre."}
    )


class MemberTermsForm(forms.Form):
    accept_terms = forms.BooleanField(
        label="J'accepte les Conditions générales d'utilisation",
        error_messages={"required": "Vous devez accepter les Conditions générales d'utilisation pour poursuivre."},
    )


class IdentityForm(forms.Form):
    username = forms.CharField(
        label="Choisissez votre identifiant",
        max_length=50,
        help_text="L'identifiant doit être unique : n'utilisez pas le nom de votre établissement ni votre n° client.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    last_name = forms.CharField(
        label="Nom",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    first_name = forms.CharField(
        label="Prénom",
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    email = email_field("Votre adresse e-mail")
    phone = phone_field()
    job_title = forms.CharField(
        label="Fonction",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )


class MemberDetailsForm(forms.Form):
    password1 = password_field("Créez un mot de passe", autocomplete="new-password", help_text=PASSWORD_RULE_TEXT)
    password2 = password_field("Confirmez votre mot de passe", autocomplete="new-password")
    services = forms.MultipleChoiceField(
        label="Choisissez les services que vous souhaitez utiliser.",
        help_text="Votre administrateur validera ou modifiera les habilitations que vous avez demandées.",
        choices=[(p.value, p.label) for p in REQUESTABLE_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Service inconnu."},
    )


class MemberRegistrationForm(IdentityForm, MemberDetailsForm):
    field_order = [
        "username",
        "last_name",
        "first_name",
        "password1",
        "password2",
        "email",
        "phone",
        "job_title",
        "services",
    ]


class TrackingIdentifierForm(forms.Form):
    username = forms.CharField(
        label="Identifiant",
        max_length=254,
        help_text="L'identifiant que vous avez choisi lors de votre inscription, indiqué dans le courriel reçu ce jour-là.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class LetterRequestForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("not_received", "courrier non reçu"), ("renewal", "renouvellement")],
        error_messages={"invalid_choice": "Cette demande n'existe pas.", "required": "Cette demande n'existe pas."},
    )
