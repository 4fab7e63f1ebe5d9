from django import forms

from espace.accounts.enums import Permission, UserStatus
from espace.core.audit_actions import audit_action_choices
from espace.establishments.enums import SecondFactorPolicy


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


NETWORKS_HELP = "Une adresse IP ou un réseau (notation CIDR, ex. 203.0.113.0/24) par ligne ; vide : depuis partout."


class SettingsForm(forms.Form):
    loan_requests_four_eyes = forms.BooleanField(
        label="Une demande de prêt est envoyée par un autre validateur que son auteur (règle des « quatre yeux »)",
        required=False,
    )
    session_idle_minutes = forms.TypedChoiceField(
        label="Déconnexion après une inactivité de",
        coerce=int,
        choices=[(m, f"{m} minutes") for m in (10, 15, 20, 30)],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une durée de la liste.", "required": "Choisissez une durée."},
    )
    session_max_hours = forms.TypedChoiceField(
        label="Durée maximale d'une session",
        coerce=int,
        choices=[(h, f"{h} heures") for h in (2, 4, 8, 12)],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choisissez une durée de la liste.", "required": "Choisissez une durée."},
    )
    second_factor_policy = forms.ChoiceField(
        label="Double authentification",
        choices=SecondFactorPolicy.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=(
            "Les utilisateurs concernés qui ne l'ont pas encore l'activeront à leur prochaine connexion "
            "(une application d'authentification sur leur téléphone, et des codes de secours)."
        ),
        error_messages={"invalid_choice": "Choisissez une règle de la liste.", "required": "Choisissez une règle."},
    )
    web_networks = forms.CharField(
        label="Réseaux depuis lesquels vos utilisateurs accèdent à l'espace client",
        required=False,
        max_length=2000,
        help_text=NETWORKS_HELP,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    api_networks = forms.CharField(
        label="Réseaux depuis lesquels vos logiciels appellent l'API",
        required=False,
        max_length=2000,
        help_text=NETWORKS_HELP + " S'ajoute aux réseaux de chaque jeton.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
