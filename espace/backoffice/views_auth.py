"""Staff login: identifier and password (with the clients' lockout), then TOTP or a recovery code.

A staff member without any second factor cannot get one from the login page: it takes a
one-time enrolment link made by an operator (`manage.py staff_enrolment_link`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.forms import LoginForm, OtpForm
from espace.accounts.http import StaffRequest
from espace.accounts.login import LoginOutcome, login_attempt, login_captcha_required, session_end
from espace.accounts.models import User
from espace.accounts.second_factor import has_totp, totp_pending_device, totp_setup
from espace.backoffice.models import StaffEnrolmentLink
from espace.backoffice.perms import staff_required
from espace.backoffice.second_factor import (
    enrolment_link_find,
    recovery_codes_renew,
    staff_has_second_factor,
    staff_login_record,
    staff_verify,
    totp_enrol_confirm,
)
from espace.core import clock
from espace.core.exceptions import ApplicationError

PENDING_KEY = "staff_pending"
ENROLMENT_LINK_KEY = "staff_enrolment_link"
PENDING_WINDOW = timedelta(minutes=10)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/back-office/"


class PendingLogin(TypedDict):
    """The session's record of a staff member past the password, before the second factor."""

    user: int  # pk
    at: str  # ISO 8601: when the password was accepted
    next: str  # where to go once logged in


def _pending_user(request: HttpRequest) -> User | None:
    pending: PendingLogin | None = request.session.get(PENDING_KEY)
    if not pending or clock.now() - datetime.fromisoformat(pending["at"]) > PENDING_WINDOW:
        return None
    return User.objects.filter(pk=pending["user"], is_staff=True).first()


def _session_enrolment_link(request: HttpRequest, user: User) -> StaffEnrolmentLink | None:
    link = StaffEnrolmentLink.objects.filter(pk=request.session.get(ENROLMENT_LINK_KEY) or 0, user=user).first()
    return link if link is not None and link.is_usable else None


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None, captcha=login_captcha_required())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = login_attempt(
                identifier=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                staff=True,
                captcha_solved=form.captcha_solved,
            )
            if result.outcome == LoginOutcome.SUCCESS and result.user is not None:
                user = result.user
                request.session.cycle_key()  # keeps an enrolment link opened before
                request.session[PENDING_KEY] = PendingLogin(
                    user=user.pk, at=clock.now().isoformat(), next=_next_url(request)
                )
                if staff_has_second_factor(user):
                    return redirect("backoffice:otp")
                if _session_enrolment_link(request, user) is not None:
                    return redirect("backoffice:enroll")
                request.session.pop(PENDING_KEY, None)
                return render(request, "backoffice/no_second_factor.html", status=403)
            if result.outcome == LoginOutcome.CAPTCHA_REQUIRED:
                form = LoginForm(request.POST, captcha=True)
            form.add_error(None, result.message)
            status = {LoginOutcome.LOCKED: 403, LoginOutcome.IP_THROTTLED: 429}.get(result.outcome, 400)
    return render(request, "backoffice/login.html", {"form": form, "next": _next_url(request)}, status=status)


def _finish_login(request: HttpRequest, user: User, device: Device) -> HttpResponse:
    target = (request.session.get(PENDING_KEY) or {}).get("next") or "/back-office/"
    request.session.pop(PENDING_KEY, None)
    request.session.pop(ENROLMENT_LINK_KEY, None)
    login(request, user, backend="espace.accounts.backends.EspaceBackend")
    otp_login(request, device)
    now = clock.now().isoformat()
    request.session["espace_login_at"] = now
    request.session["espace_last_seen"] = now
    staff_login_record(user=user)
    return redirect(target)


@require_http_methods(["GET", "POST"])
def staff_otp(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or not staff_has_second_factor(user):
        messages.warning(request, "Veuillez saisir à nouveau votre identifiant et votre mot de passe.")
        return redirect("backoffice:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = staff_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            return _finish_login(request, user, device)
        form.add_error("token", "Code incorrect ou expiré.")
    return render(request, "backoffice/otp.html", {"form": form}, status=400 if form.errors else 200)


def enrolment_link(request: HttpRequest, token: str) -> HttpResponse:
    """The operator's one-time link: remembered in this browser until the password is given."""
    link = enrolment_link_find(token)
    if link is None:
        return render(request, "backoffice/enrolment_link_invalid.html", status=400)
    request.session[ENROLMENT_LINK_KEY] = link.pk
    messages.info(
        request,
        "Lien d'enrôlement reconnu : connectez-vous avec votre identifiant et votre mot de passe pour "
        "enregistrer votre application d'authentification.",
    )
    return redirect("backoffice:login")


def _totp_setup_context(device: TOTPDevice, form: OtpForm) -> dict[str, object]:
    return {"form": form, **totp_setup(device)}


@require_http_methods(["GET", "POST"])
def staff_enroll(request: HttpRequest) -> HttpResponse:
    """First enrolment, through the operator's link only: register an authenticator app."""
    user = _pending_user(request)
    link = _session_enrolment_link(request, user) if user is not None else None
    if user is None or link is None or staff_has_second_factor(user):
        messages.warning(request, "Veuillez saisir à nouveau votre identifiant et votre mot de passe.")
        return redirect("backoffice:login")
    device = totp_pending_device(user)
    form = OtpForm(request.POST or None, totp_only=True)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrol_confirm(user=user, device=device, token=form.cleaned_data["token"], link=link)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("backoffice:login")
        if codes is not None:
            device.refresh_from_db()
            response = _finish_login(request, user, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": response["Location"]})
        form.add_error("token", "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    context = _totp_setup_context(device, form)
    return render(request, "backoffice/enroll.html", context, status=400 if form.errors else 200)


@staff_required()
@require_http_methods(["GET", "POST"])
def second_factor(request: StaffRequest) -> HttpResponse:
    """« Mon second facteur »: after the second factor, replace the authenticator or the recovery codes."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "codes":
        fresh_codes = recovery_codes_renew(user=user)
        return render(request, "accounts/recovery_codes.html", {"codes": fresh_codes, "next": "/back-office/"})
    device = totp_pending_device(user)
    form = OtpForm(request.POST or None, totp_only=True)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrol_confirm(user=user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": "/back-office/"})
        form.add_error("token", "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    context = {
        **_totp_setup_context(device, form),
        "has_totp": has_totp(user),
    }
    return render(request, "backoffice/second_factor.html", context, status=400 if form.errors else 200)


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    session_end(request)
    return redirect("backoffice:login")
