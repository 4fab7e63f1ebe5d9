"""Self-service (FAQ): forgotten password or identifier, and « Mon compte »."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.forms import (
    CodeForm,
    EmailChangeForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    UsernameReminderForm,
)
from espace.accounts.http import ClientRequest
from espace.accounts.login import AccountLockedError
from espace.accounts.models import EmailChange, User
from espace.accounts.perms import client_required
from espace.accounts.selectors import establishment_admins
from espace.accounts.services import (
    email_change_confirm,
    email_change_resend,
    email_change_start,
    password_change,
    password_reset_complete,
    password_reset_request,
    profile_update,
    username_reminder_request,
)
from espace.core.exceptions import ApplicationError

RESET_SESSION_KEY = "password_reset"
RESET_URL_TOKEN = "definir"
EMAIL_CHANGE_SESSION_KEY = "email_change"


def _locked_out(request: HttpRequest, error: AccountLockedError) -> HttpResponse:
    """Too many wrong current passwords: the account is locked like at login, and this session ends."""
    logout(request)
    messages.error(request, error.message)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset_request(identifier_or_email=form.cleaned_data["identifier"])
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def _reset_user(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, status=UserStatus.ACTIVE).first()


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _reset_user(uidb64)
    if token != RESET_URL_TOKEN:
        # Keep the token out of the address bar (and of Referer headers) once it is checked.
        if user is not None and default_token_generator.check_token(user, token):
            request.session[RESET_SESSION_KEY] = {"user": user.pk, "token": token}
            return redirect("accounts:password_reset_confirm", uidb64=uidb64, token=RESET_URL_TOKEN)
        return render(request, "accounts/password_reset_invalid.html", status=400)
    pending = request.session.get(RESET_SESSION_KEY) or {}
    if (
        user is None
        or pending.get("user") != user.pk
        or not default_token_generator.check_token(user, pending.get("token"))
    ):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        password_reset_complete(user=user, password=form.cleaned_data["new_password1"])
        request.session.pop(RESET_SESSION_KEY, None)
        messages.success(request, "Votre nouveau mot de passe est enregistré. Vous pouvez vous connecter.")
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def username_reminder(request: HttpRequest) -> HttpResponse:
    form = UsernameReminderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username_reminder_request(email=form.cleaned_data["email"])
        return render(request, "accounts/username_reminder_sent.html")
    return render(request, "accounts/username_reminder.html", {"form": form}, status=400 if form.errors else 200)


@client_required
@require_http_methods(["GET", "POST"])
def account(request: ClientRequest) -> HttpResponse:
    """« Mon compte »: identity, and links to the password, the address and « Mes habilitations »."""
    user = request.user
    initial = {
        "last_name": user.last_name,
        "first_name": user.first_name,
        "phone": user.phone,
        "job_title": user.job_title,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile_update(user=user, **form.cleaned_data)
        messages.success(request, "Vos informations sont enregistrées.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form}, status=400 if form.errors else 200)


@client_required
@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def account_password(request: ClientRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_change(
                user=user,
                current=form.cleaned_data["current_password"],
                new=form.cleaned_data["new_password1"],
            )
        except AccountLockedError as error:
            return _locked_out(request, error)
        except ApplicationError as error:
            error.add_to(form)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end
            messages.success(request, "Votre mot de passe est modifié. Vos autres sessions sont fermées.")
            return redirect("accounts:account")
    return render(request, "accounts/account_password.html", {"form": form}, status=400 if form.errors else 200)


@client_required
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account_email(request: ClientRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = email_change_start(
                user=request.user,
                new_email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
            )
        except AccountLockedError as error:
            return _locked_out(request, error)
        except ApplicationError as error:
            error.add_to(form)
        else:
            request.session[EMAIL_CHANGE_SESSION_KEY] = str(change.pk)
            return redirect("accounts:account_email_code")
    return render(request, "accounts/account_email.html", {"form": form}, status=400 if form.errors else 200)


def _pending_change(request: ClientRequest) -> EmailChange | None:
    pk = request.session.get(EMAIL_CHANGE_SESSION_KEY)
    if not pk or request.user.pk is None:
        return None
    return EmailChange.objects.filter(pk=pk, user_id=request.user.pk, completed_at__isnull=True).first()


@client_required
@require_http_methods(["GET", "POST"])
def account_email_code(request: ClientRequest) -> HttpResponse:
    change = _pending_change(request)
    if change is None or not change.is_open:
        messages.warning(request, "Aucun changement d'adresse en cours.")
        return redirect("accounts:account_email")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = email_change_confirm(change=change, code=form.cleaned_data["code"])
        if error is None:
            request.session.pop(EMAIL_CHANGE_SESSION_KEY, None)
            messages.success(request, f"Votre adresse e-mail est désormais {change.new_email}.")
            return redirect("accounts:account")
        form.add_error("code", error)
    return render(
        request,
        "accounts/account_email_code.html",
        {"form": form, "change": change},
        status=400 if form.errors else 200,
    )


@client_required
@require_POST
def account_email_resend(request: ClientRequest) -> HttpResponse:
    change = _pending_change(request)
    if change is None:
        return redirect("accounts:account_email")
    try:
        email_change_resend(change=change)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Un nouveau code a été envoyé à {change.new_email}.")
    return redirect("accounts:account_email_code")


@client_required
def my_permissions(request: ClientRequest) -> HttpResponse:
    """« Mes habilitations »: read-only, with the administrators to ask for a change."""
    user = request.user
    rows = [{"label": p.label, "granted": p.value in user.permissions} for p in Permission]
    context = {"rows": rows, "admins": establishment_admins(request.establishment)}
    return render(request, "accounts/my_permissions.html", context)
