from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from espace.accounts.http import AppRequest
from espace.core import clock

SESSION_LOGIN_AT = "espace_login_at"
SESSION_LAST_SEEN = "espace_last_seen"
LAST_SEEN_PRECISION = timedelta(minutes=1)


class SessionLifetimeMiddleware:
    """Idle timeout (30 minutes) and absolute lifetime (12 hours) of an authenticated session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now()
            login_at = request.session.get(SESSION_LOGIN_AT)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            reason = None
            if login_at and now - datetime.fromisoformat(login_at) > settings.SESSION_ABSOLUTE_LIFETIME:
                reason = "Votre session a expiré (durée maximale de 12 heures). Veuillez vous reconnecter."
            elif last_seen and now - datetime.fromisoformat(last_seen) > settings.SESSION_IDLE_TIMEOUT:
                reason = "Votre session a expiré après 30 minutes d'inactivité. Veuillez vous reconnecter."
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


class EstablishmentMiddleware:
    """Attach the current user's establishment: every client-side query starts from it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        cast(AppRequest, request).establishment = (
            user.establishment if user.is_authenticated and getattr(user, "establishment_id", None) else None
        )
        return self.get_response(request)
