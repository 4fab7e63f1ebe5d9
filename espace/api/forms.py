from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings

from espace.api.enums import ApiScope
from espace.core import clock


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=80,
        help_text="Par exemple le logiciel qui l'utilisera : « Logiciel financier — synchronisation nocturne ».",
        error_messages={"required": "Donnez un nom au jeton."},
    )
    scopes = forms.MultipleChoiceField(
        label="Droits du jeton",
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Le jeton lit seulement ce que ces habilitations permettent de consulter.",
        error_messages={"required": "Choisissez au moins un droit.", "invalid_choice": "Droit inconnu."},
    )
    expires_on = forms.DateField(
        label="Valable jusqu'au (inclus)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"Au plus {settings.API_TOKEN_MAX_DAYS} jours.",
        error_messages={"required": "Indiquez la date d'expiration.", "invalid": "Date invalide (jj/mm/aaaa)."},
    )
    allowed_networks = forms.CharField(
        label="Adresses IP autorisées (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Une adresse ou un réseau par ligne (ex. 203.0.113.10 ou 203.0.113.0/24). Vide : toutes les adresses.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = clock.today()
        self.fields["expires_on"].initial = today + timedelta(days=90)
        self.fields["expires_on"].widget.attrs.update(
            {
                "min": (today + timedelta(days=1)).isoformat(),
                "max": (today + timedelta(days=settings.API_TOKEN_MAX_DAYS)).isoformat(),
            }
        )

    def networks(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["allowed_networks"].splitlines() if line.strip()]
