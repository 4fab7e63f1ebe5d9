"""Passkeys (WebAuthn), a second factor beside the authenticator app, on django-otp-webauthn.

- A passkey never replaces the password (`OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False`): the
  login's second step offers it to the user held after the password (`pending_user`), and the
  session opens through `login_complete`, as with a code.
- A client user adds one from « Mon compte » → « Double authentification », in a session that
  passed the second factor, once the authenticator app is set up: the recovery codes that come
  with the app stay the way back when the passkey's device is lost.
- Lender staff have none (their second factor is the app, `espace.backoffice.second_factor`).

The library's views speak JSON to its script; these subclasses only say who the user is and
what is written in the journal.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import formats
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from espace.accounts.enums import AuditAction
from espace.accounts.models import User
from espace.accounts.second_factor import client_passkey_added, has_totp, login_complete, pending_user
from espace.core import clock
from espace.core.audit import audit_record


class PasskeyHelper(WebAuthnHelper):
    """Names each passkey by the day it was added, so the user can tell them apart."""

    def create_credential(self, user: AbstractBaseUser, *args: Any, **kwargs: Any) -> WebAuthnCredential:
        device: WebAuthnCredential = super().create_credential(user, *args, **kwargs)
        day = formats.date_format(clock.today(), "j F Y")
        device.name = f"Clé d'accès ajoutée le {day}"
        return device


# py_webauthn's refusals reach the library's views with English details; these are shown to the user.
UNVERIFIED = {
    "invalid_registration_response": "La clé d'accès n'a pas pu être vérifiée : recommencez.",
    "invalid_authentication_response": "La clé d'accès n'a pas été reconnue : réessayez ou saisissez un code.",
}
UNREADABLE = "La réponse de votre appareil est illisible : recommencez."


class FrenchErrors:
    """The library's error answers, always in French (its own messages go through locale/fr)."""

    def handle_exception(self, exc: Exception) -> JsonResponse:
        if isinstance(exc, exceptions.UnprocessableEntity):
            exc.detail = UNVERIFIED.get(exc.code, UNREADABLE)
        return super().handle_exception(exc)  # type: ignore[misc]


class TotpFirst(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = (
        "Activez d'abord la double authentification avec une application : ses codes de secours vous "
        "serviront si vous perdez l'appareil de votre clé d'accès."
    )
    default_code = "totp_first"


class ClientRegistration(FrenchErrors):
    """Who may add a passkey: a client user (the library then checks the session passed the
    second factor), once the app is set up."""

    request: HttpRequest

    def get_user(self) -> User | None:
        user = self.request.user
        if isinstance(user, User) and getattr(self.request, "establishment", None) is not None:
            return user
        return None  # staff and anonymous visitors: 403 from the library

    def check_can_register(self) -> None:
        user = self.get_user()
        if user is None or not has_totp(user):
            raise TotpFirst()


class PasskeyRegistrationBegin(ClientRegistration, BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(ClientRegistration, CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        # Not in one transaction with the library's work: it saves the session as soon as it took
        # the challenge out, so that a failed try never leaves the challenge usable again.
        response: JsonResponse = super().post(*args, **kwargs)
        user = self.get_user()
        assert user is not None  # checked by `initial`
        device = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"], user=user)
        client_passkey_added(user=user, device=device)
        messages.success(self.request, f"Votre clé d'accès est enregistrée : « {device.name} ».")
        return response


class PasskeyAuthenticationBegin(FrenchErrors, BeginCredentialAuthenticationView):
    """The login's second step: only the passkeys of the user held after the password."""

    def get_user(self) -> User | None:
        return pending_user(self.request)


class PasskeyAuthenticationComplete(FrenchErrors, CompleteCredentialAuthenticationView):
    def get_user(self) -> User | None:
        return pending_user(self.request)

    def handle_exception(self, exc: Exception) -> JsonResponse:
        user = pending_user(self.request)
        if user is not None and isinstance(exc, exceptions.OTPWebAuthnApiError):
            audit_record(action=AuditAction.SECOND_FACTOR_FAILED, target=user, details={"passkey": exc.code})
        return super().handle_exception(exc)

    def complete_auth(self, device: WebAuthnCredential) -> None:
        login_complete(self.request, device.user, device)

    def get_success_url(self) -> str:
        return reverse("accounts:home")
