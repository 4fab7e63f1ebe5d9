from django import forms

from espace.accounts.enums import Permission, UserStatus
from espace.core.audit_actions import audit_action_choices


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher (nom, identifiant, e-mail)", max_length=100, required=False)
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *UserStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Statut inconnu."},
    )


class PermissionsForm(forms.Form):
    permissions = forms.MultipleChoiceField(
        label="Habilitations",
        choices=Permission.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Habilitation inconnue."},
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label="Motif de la désactivation",
        max_length=300,
        error_messages={"required": "Indiquez le motif de la désactivation."},
        help_text="Par exemple : départ de l'établissement. Le motif est communiqué à l'utilisateur.",
    )


class JournalFilterForm(forms.Form):
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=lambda: [("", "Toutes les actions"), *audit_action_choices()],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Action inconnue."},
    )
    q = forms.CharField(label="Utilisateur (identifiant ou nom)", max_length=100, required=False)


class SettingsForm(forms.Form):
    loan_requests_four_eyes = forms.BooleanField(
        label="Une demande de prêt est envoyée par un autre validateur que son auteur (règle des « quatre yeux »)",
        required=False,
    )
