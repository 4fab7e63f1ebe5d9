from __future__ import annotations

from typing import Any

from django import forms

from espace.core.captcha import CaptchaField
from espace.core.uploads import CheckedUpload, upload_check
from espace.support.enums import ContactSubject


class ContactForm(forms.Form):
    subject = forms.ChoiceField(
        label="Objet de votre demande",
        choices=[("", "Choisissez…"), *ContactSubject.choices],
        error_messages={"invalid_choice": "Choisissez un objet dans la liste."},
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="Les questions d'éligibilité, de conditions financières et de contrat sont transmises à votre "
        "direction régionale ; les autres à l'assistance utilisateurs.",
    )
    message = forms.CharField(
        label="Votre message",
        max_length=5000,
        error_messages={"max_length": "Votre message dépasse 5 000 caractères."},
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
    )
    attachment = forms.FileField(
        label="Pièce jointe (facultative)",
        required=False,
        help_text="PDF, image, document Word, Excel, OpenDocument ou archive ZIP ; 25 Mo au plus.",
        error_messages={"invalid": "Le fichier envoyé est illisible.", "empty": "Le fichier est vide."},
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
    sender_name = forms.CharField(label="Vos nom et prénom", max_length=160)
    sender_email = forms.EmailField(
        label="Votre adresse e-mail",
        max_length=254,
        error_messages={"invalid": "Saisissez une adresse e-mail valide."},
    )
    sender_phone = forms.RegexField(
        label="N° de téléphone",
        regex=r"^[0-9 +().-]{4,30}$",
        required=False,
        error_messages={"invalid": "Saisissez un numéro de téléphone valide."},
    )
    organisation = forms.CharField(label="Établissement", max_length=200, required=False)
    client_number = forms.RegexField(
        label="Numéro client (si vous le connaissez)",
        regex=r"^[0-9 ]{1,20}$",
        required=False,
        error_messages={"invalid": "Le numéro client ne contient que des chiffres."},
    )
    captcha = CaptchaField()

    IDENTITY_FIELDS = ("sender_name", "sender_email", "sender_phone", "organisation", "client_number")

    def __init__(self, *args: Any, authenticated: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_upload: CheckedUpload | None = None
        if authenticated:
            # The identity comes from the account; no CAPTCHA for a logged-in user.
            for name in (*self.IDENTITY_FIELDS, "captcha"):
                del self.fields[name]

    def clean_attachment(self) -> object:
        upload = self.cleaned_data.get("attachment")
        if upload:
            self.checked_upload = upload_check(upload)
        return upload


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Réponse (envoyée par e-mail)",
        max_length=10000,
        error_messages={"required": "La réponse est vide."},
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
    )


class FaqSearchForm(forms.Form):
    q = forms.CharField(label="Rechercher dans la FAQ", max_length=100, required=False)
