from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_otp import DEVICE_ID_SESSION_KEY

from espace.accounts.http import AppRequest
from espace.core import clock
from espace.core.net import address_allowed, client_ip

SESSION_LOGIN_AT = "espace_login_at"
SESSION_LAST_SEEN = "espace_last_seen"
LAST_SEEN_PRECISION = timedelta(minutes=1)


def session_limits(user: object) -> tuple[timedelta, timedelta]:
    """(absolute lifetime, idle timeout) of the user's session: the lender's, or shorter when the
    user's establishment asks so in its security policy."""
    absolute, idle = settings.SESSION_ABSOLUTE_LIFETIME, settings.SESSION_IDLE_TIMEOUT
    establishment = getattr(user, "establishment", None) if getattr(user, "establishment_id", None) else None
    if establishment is not None:
        absolute = min(absolute, timedelta(hours=establishment.session_max_hours))
        idle = min(idle, timedelta(minutes=establishment.session_idle_minutes))
    return absolute, idle


FACTOR_RESET = "Votre double authentification a été réinitialisée ou retirée : veuillez vous reconnecter."


class SessionLifetimeMiddleware:
    """Idle timeout (30 minutes) and absolute lifetime (12 hours) of an authenticated session; a
    client session whose second factor was reset or removed (by an administrator, the assistance)
    ends too. The device is already read by django-otp's middleware: no query more."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        verified_by = request.session.get(DEVICE_ID_SESSION_KEY)  # before django-otp drops a stale one
        if request.user.is_authenticated:
            now = clock.now()
            login_at = request.session.get(SESSION_LOGIN_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            reason = None
            absolute, idle = session_limits(request.user)
            if login_at and now - datetime.fromisoformat(login_at) > absolute:
                hours = int(absolute.total_seconds() // 3600)
                reason = f"Votre session a expiré (durée maximale de {hours} heures). Veuillez vous reconnecter."
            elif last_seen and now - datetime.fromisoformat(last_seen) > idle:
                minutes = int(idle.total_seconds() // 60)
                reason = f"Votre session a expiré après {minutes} minutes d'inactivité. Veuillez vous reconnecter."
            if verified_by and getattr(request.user, "otp_device", None) is None and request.user.establishment_id:
                reason = FACTOR_RESET
            if reason:
                logout(request)
                messages.warning(request, reason)
            else:
                if not login_at:
                    request.session[SESSION_LOGIN_AT] = now.isoformat()
                # Written at most once a minute: a session row is not rewritten on every request.
                if not last_seen or now - datetime.fromisoformat(last_seen) >= LAST_SEEN_PRECISION:
                    request.session[SESSION_LAST_SEEN] = now.isoformat()
        return self.get_response(request)


NETWORK_REFUSED = (
    "Votre établissement n'autorise l'accès à l'espace client que depuis son réseau : connectez-vous depuis "
    "un poste de votre établissement, ou adressez-vous à son administrateur."
)


class EstablishmentMiddleware:
    """Attach the current user's establishment: every client-side query starts from it. When its
    security policy lists the networks its users may come from, a request from elsewhere ends the
    session (403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        establishment = (
            user.establishment if user.is_authenticated and getattr(user, "establishment_id", None) else None
        )
        cast(AppRequest, request).establishment = establishment
        if establishment is not None and not address_allowed(client_ip(request), establishment.web_networks):
            logout(request)
            cast(AppRequest, request).establishment = None
            return render(request, "403.html", {"message": NETWORK_REFUSED}, status=403)
        return self.get_response(request)
