from __future__ import annotations

from typing import Any

from django import forms

from espace.notifications.enums import Delivery, NotificationKind


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="M'envoyer un courriel quand…",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Cette notification n'existe pas pour vous."},
    )
    delivery = forms.ChoiceField(
        label="Envoi",
        choices=Delivery.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choisissez un mode d'envoi.", "invalid_choice": "Choisissez un mode d'envoi."},
    )

    def __init__(self, *args: Any, kinds: list[NotificationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kinds"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(kind.value, kind.label) for kind in kinds]
