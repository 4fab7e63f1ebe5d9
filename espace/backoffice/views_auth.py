"""Staff login: identifier and password (with the clients' lockout), then TOTP or a recovery code."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from espace.accounts.forms import LoginForm
from espace.accounts.login import LoginOutcome, login_attempt
from espace.accounts.models import User
from espace.backoffice.forms import OtpForm
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.models import AuditAction

PENDING_KEY = "staff_pending"
PENDING_WINDOW = timedelta(minutes=10)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/back-office/"


def _pending_user(request: HttpRequest) -> User | None:
    pending: dict[str, Any] = request.session.get(PENDING_KEY) or {}
    if not pending or clock.now() - datetime.fromisoformat(pending["at"]) > PENDING_WINDOW:
        return None
    return User.objects.filter(pk=pending["user"], is_staff=True).first()


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = login_attempt(
                request=request, identifier=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
            if result.outcome == LoginOutcome.SUCCESS and result.user is not None and result.user.is_staff:
                request.session.cycle_key()
                request.session[PENDING_KEY] = {
                    "user": result.user.pk,
                    "at": clock.now().isoformat(),
                    "next": _next_url(request),
                }
                if user_has_device(result.user):  # TOTP, or recovery codes alone (demo accounts)
                    return redirect("backoffice:otp")
                return redirect("backoffice:enroll")
            if result.ok:
                form.add_error(None, "Cet accès est réservé aux équipes du prêteur.")
                status = 403
            else:
                form.add_error(None, result.message)
                status = {LoginOutcome.LOCKED: 403, LoginOutcome.IP_THROTTLED: 429}.get(result.outcome, 400)
    return render(request, "backoffice/login.html", {"form": form, "next": _next_url(request)}, status=status)


def _finish_login(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    target = (request.session.get(PENDING_KEY) or {}).get("next") or "/back-office/"
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="espace.accounts.backends.EspaceBackend")
    otp_login(request, device)
    now = clock.now().isoformat()
    request.session["espace_login_at"] = now
    request.session["espace_last_seen"] = now
    audit_record(
        action=AuditAction.LOGIN_SUCCEEDED,
        actor=user,
        target=user,
        request=request,
        details={"entrance": "back-office"},
    )
    return redirect(target)


@require_http_methods(["GET", "POST"])
def staff_otp(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        messages.warning(request, "Veuillez saisir à nouveau votre identifiant et votre mot de passe.")
        return redirect("backoffice:login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = "".join(form.cleaned_data["token"].split())
        for device in [
            *TOTPDevice.objects.filter(user=user, confirmed=True),
            *StaticDevice.objects.filter(user=user, confirmed=True),
        ]:
            if device.verify_token(token):
                return _finish_login(request, user, device)
        audit_record(action=AuditAction.STAFF_OTP_FAILED, target=user, request=request)
        form.add_error("token", "Code incorrect ou expiré.")
    return render(request, "backoffice/otp.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def staff_enroll(request: HttpRequest) -> HttpResponse:
    """First staff login: register an authenticator app, then receive the recovery codes once."""
    user = _pending_user(request)
    if user is None or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("backoffice:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["token"].split())):
            codes = _confirm_devices(user, device)
            audit_record(action=AuditAction.STAFF_OTP_ENROLLED, actor=user, target=user, request=request)
            response = _finish_login(request, user, device)
            return render(request, "backoffice/recovery_codes.html", {"codes": codes, "next": response["Location"]})
        form.add_error("token", "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
    secret = device.config_url.split("secret=")[1].split("&")[0]
    context = {"form": form, "qr": qr, "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))}
    return render(request, "backoffice/enroll.html", context, status=400 if form.errors else 200)


@transaction.atomic
def _confirm_devices(user: User, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.STAFF_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, actor=request.user, target=request.user, request=request)  # type: ignore[arg-type]
    logout(request)
    return redirect("backoffice:login")
