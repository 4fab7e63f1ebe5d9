from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from espace.accounts.models import User
from espace.accounts.validators import PASSWORD_RULE_TEXT
from espace.core.captcha import CaptchaField


def password_field(label: str, *, autocomplete: str, help_text: str = "", max_length: int = 128) -> forms.CharField:
    """Passwords are never stripped; up to 128 characters of any Unicode (SECURITY.md)."""
    return forms.CharField(
        label=label,
        strip=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def email_field(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        error_messages={"invalid": "Saisissez une adresse e-mail valide."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def phone_field() -> forms.RegexField:
    return forms.RegexField(
        label="N° de téléphone",
        regex=r"^[0-9 +().-]{4,30}$",
        required=False,
        error_messages={"invalid": "Saisissez un numéro de téléphone valide."},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}),
    )


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


class PasswordConfirmForm(forms.Form):
    password = password_field("Votre mot de passe", autocomplete="current-password", max_length=256)


class LoginForm(forms.Form):
    username = forms.CharField(
        label="Identifiant",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = password_field("Mot de passe", autocomplete="current-password", max_length=256)

    def __init__(self, *args: Any, captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if captcha:  # after repeated failures from the same address (login_captcha_required)
            self.fields["captcha"] = CaptchaField()

    @property
    def captcha_solved(self) -> bool:
        return "captcha" in self.fields and bool(self.cleaned_data.get("captcha"))


class NewPasswordForm(forms.Form):
    new_password1 = password_field("Nouveau mot de passe", autocomplete="new-password", help_text=PASSWORD_RULE_TEXT)
    new_password2 = password_field("Confirmez le nouveau mot de passe", autocomplete="new-password")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second:
            if first != second:
                self.add_error("new_password2", "Les deux mots de passe ne sont pas identiques.")
            else:
                try:
                    validate_password(str(first), user=self.user)
                except ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label="Votre identifiant ou votre adresse e-mail",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class UsernameReminderForm(forms.Form):
    email = email_field("Votre adresse e-mail")


class ProfileForm(forms.Form):
    last_name = forms.CharField(label="Nom", max_length=80)
    first_name = forms.CharField(label="Prénom", max_length=80)
    phone = phone_field()
    job_title = forms.CharField(label="Fonction", max_length=120, required=False)


class PasswordChangeForm(NewPasswordForm):
    current_password = password_field("Mot de passe actuel", autocomplete="current-password", max_length=256)
    field_order = ["current_password", "new_password1", "new_password2"]


class EmailChangeForm(forms.Form):
    new_email = email_field("Nouvelle adresse e-mail")
    password = password_field("Votre mot de passe", autocomplete="current-password", max_length=256)
