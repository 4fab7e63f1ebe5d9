"""« Double authentification »: the login's second step, the enrolment it may require, and
« Mon compte » → « Double authentification » (espace.accounts.second_factor has the rules)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from espace.accounts.forms import OtpForm, PasswordConfirmForm
from espace.accounts.http import ClientRequest
from espace.accounts.login import AccountLockedError
from espace.accounts.models import RecoveryCodeDevice, User
from espace.accounts.perms import client_required
from espace.accounts.second_factor import (
    PENDING_KEY,
    client_passkey_remove,
    client_recovery_codes_renew,
    client_second_factor_disable,
    client_second_factor_verify,
    client_totp_enrol,
    has_second_factor,
    has_totp,
    login_complete,
    passkeys_of,
    pending_user,
    second_factor_required,
    second_factor_state,
    session_device_keep,
    totp_pending_device,
    totp_setup,
)
from espace.core.exceptions import ApplicationError

WRONG_CODE = "Code incorrect ou expiré."
WRONG_FIRST_CODE = "Code incorrect : vérifiez l'heure de votre téléphone et réessayez."
LOGIN_AGAIN = "Veuillez saisir à nouveau votre identifiant et votre mot de passe."


def _cancelled(request: HttpRequest) -> HttpResponse | None:
    """« Annuler »: the user held after the password is let go at once (not 10 minutes later)."""
    if request.method == "POST" and request.POST.get("action") == "cancel":
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    return None


def _recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The login's second step: the code of the authenticator app, a recovery code or a passkey."""
    if cancelled := _cancelled(request):
        return cancelled
    user = pending_user(request)
    if user is None or not has_second_factor(user):
        messages.warning(request, LOGIN_AGAIN)
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = client_second_factor_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            login_complete(request, user, device)
            if isinstance(device, RecoveryCodeDevice):
                left = device.codes.count()
                messages.warning(
                    request,
                    f"Vous vous êtes connecté avec un code de secours : il vous en reste {left}. "
                    "Renouvelez-les depuis « Mon compte » → « Double authentification ».",
                )
            return redirect("accounts:home")
        form.add_error("token", WRONG_CODE)
    context = {"form": form, "passkeys": passkeys_of(user)}
    return render(request, "accounts/second_factor.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrolment that the establishment's policy requires, before the session opens."""
    if cancelled := _cancelled(request):
        return cancelled
    user = pending_user(request)
    if user is None or has_second_factor(user) or not second_factor_required(user):
        messages.warning(request, LOGIN_AGAIN)
        return redirect("accounts:login")
    device = totp_pending_device(user)
    form = OtpForm(request.POST or None, totp_only=True)
    if request.method == "POST" and form.is_valid():
        codes = client_totp_enrol(user=user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            device.refresh_from_db()
            login_complete(request, user, device)
            return _recovery_codes(request, codes, reverse("accounts:home"))
        form.add_error("token", WRONG_FIRST_CODE)
    context = {"form": form, "pending_user": user, **totp_setup(device)}
    return render(request, "accounts/second_factor_enrol.html", context, status=400 if form.errors else 200)


def _account_context(user: User, **forms: object) -> dict[str, object]:
    state = second_factor_state(user)
    context: dict[str, object] = {"state": state, **forms}
    if not state.totp:
        context.update(totp_setup(totp_pending_device(user)))
    return context


@client_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_second_factor(request: ClientRequest) -> HttpResponse:
    """« Mon compte » → « Double authentification »: enrol, new recovery codes, switch off."""
    user = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    enrol_form = OtpForm(request.POST if action == "enrol" else None, totp_only=True)
    disable_form = PasswordConfirmForm(request.POST if action == "disable" else None)
    back = reverse("accounts:account_second_factor")
    status = 200
    if action == "enrol" and has_totp(user):
        # Only through the form shown without an app: a new app never replaces one without its code.
        messages.error(request, "Votre application d'authentification est déjà enregistrée.")
        status = 400
    elif action == "enrol" and enrol_form.is_valid():
        device = totp_pending_device(user)
        codes = client_totp_enrol(user=user, device=device, token=enrol_form.cleaned_data["token"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            return _recovery_codes(request, codes, back)
        enrol_form.add_error("token", WRONG_FIRST_CODE)
    elif action == "codes":
        try:
            codes = client_recovery_codes_renew(user=user)
            session_device_keep(request, user)  # the session may have been verified by an old code
            return _recovery_codes(request, codes, back)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(back)
    elif action == "passkey_remove":
        try:
            name = client_passkey_remove(user=user, passkey_id=int(request.POST.get("passkey", "")))
        except (ValueError, ApplicationError):  # not a number, or not one of the user's passkeys
            messages.error(request, "Cette clé d'accès n'existe pas ou a déjà été supprimée.")
            status = 404
        else:
            session_device_keep(request, user)
            messages.success(request, f"La clé d'accès « {name} » est supprimée.")
            return redirect(back)
    elif action == "disable" and disable_form.is_valid():
        try:
            client_second_factor_disable(user=user, password=disable_form.cleaned_data["password"])
        except AccountLockedError as error:  # locked like at login, and this session ends
            logout(request)
            messages.error(request, error.message)
            return redirect("accounts:login")
        except ApplicationError as error:
            if error.field:
                error.add_to(disable_form)
            else:  # the policy forbids it: the form is not on the page, the message is
                messages.error(request, error.message)
                status = 400
        else:
            session_device_keep(request, user)
            messages.success(request, "La double authentification est désactivée pour votre compte.")
            return redirect(back)
    elif action not in {"", "enrol", "disable"}:
        messages.error(request, "Action inconnue.")
        status = 400
    context = _account_context(user, enrol_form=enrol_form, disable_form=disable_form)
    if enrol_form.errors or disable_form.errors:
        status = 400
    return render(request, "accounts/account_second_factor.html", context, status=status)
