"""« Suivre mon courrier d'activation », from the login page: identifier, then the 4-digit code
sent to the registration's address, then the letter's state and « Je n'ai pas reçu le courrier ».

An identifier with no letter to follow walks through the same screens with the same answers (a
tracking with no user, whose code nobody knows, and no e-mail), so the screens tell nobody which
identifiers wait for a letter.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.forms import CodeForm
from espace.core import clock
from espace.core.exceptions import ApplicationError
from espace.letters.enums import LetterRequestKind
from espace.registration.forms import LetterRequestForm, TrackingIdentifierForm
from espace.registration.models import LetterTracking
from espace.registration.services import TooManyTriesError
from espace.registration.tracking import (
    letter_request,
    letter_tracking_resend,
    letter_tracking_start,
    letter_tracking_verify,
    tracking_status,
)

SESSION_KEY = "letter_tracking"
EXPIRED = "Votre suivi a expiré (30 minutes). Saisissez à nouveau votre identifiant."
CODE_SENT = (
    "Si cet identifiant correspond à une inscription en attente de son courrier d'activation, un nouveau code "
    "à 4 chiffres a été envoyé à l'adresse e-mail donnée lors de l'inscription."
)


def _state(request: HttpRequest) -> dict[str, Any] | None:
    state = request.session.get(SESSION_KEY)
    return state if isinstance(state, dict) else None


def _tracking(state: dict[str, Any]) -> LetterTracking | None:
    pk = state.get("id")
    if not isinstance(pk, int):
        return None
    tracking = LetterTracking.objects.select_related("user__establishment").filter(pk=pk).first()
    return tracking if tracking is not None and tracking.is_open else None


@require_http_methods(["GET", "POST"])
def tracking_start(request: HttpRequest) -> HttpResponse:
    form = TrackingIdentifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tracking = letter_tracking_start(identifier=form.cleaned_data["username"])
        except TooManyTriesError as error:
            form.add_error(None, error.message)
            return render(request, "registration/tracking_start.html", {"form": form}, status=429)
        request.session[SESSION_KEY] = {"id": tracking.pk}
        return redirect("registration:tracking_code")
    return render(request, "registration/tracking_start.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def tracking_code(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None:
        return redirect("registration:tracking")
    tracking = _tracking(state)
    if tracking is None:
        request.session.pop(SESSION_KEY, None)
        messages.warning(request, EXPIRED)
        return redirect("registration:tracking")
    if tracking.is_verified and tracking.user is not None:
        return redirect("registration:tracking_status")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = letter_tracking_verify(tracking=tracking, code=form.cleaned_data["code"])
        if error is None:
            return redirect("registration:tracking_status")
        form.add_error("code", error)
    return render(request, "registration/tracking_code.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def tracking_code_resend(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None:
        return redirect("registration:tracking")
    tracking = _tracking(state)
    if tracking is None:
        messages.warning(request, EXPIRED)
        return redirect("registration:tracking")
    try:
        letter_tracking_resend(tracking=tracking)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, CODE_SENT)
    return redirect("registration:tracking_code")


def _verified(request: HttpRequest) -> LetterTracking | None:
    state = _state(request)
    tracking = _tracking(state) if state is not None else None
    return tracking if tracking is not None and tracking.is_verified and tracking.user is not None else None


def _status_page(request: HttpRequest, tracking: LetterTracking, *, error: str = "", status: int = 200) -> HttpResponse:
    assert tracking.user is not None  # _verified
    context = {
        "status": tracking_status(user=tracking.user),
        "error": error,
        "valid_until": tracking.expires_at,
        "resend_interval_days": settings.LETTER_RESEND_INTERVAL.days,
        "resend_max": settings.LETTER_RESEND_MAX,
    }
    return render(request, "registration/tracking_status.html", context, status=status)


@require_http_methods(["GET"])
def tracking_status_view(request: HttpRequest) -> HttpResponse:
    tracking = _verified(request)
    if tracking is None:
        if _state(request) is None:
            return redirect("registration:tracking")
        return redirect("registration:tracking_code")
    return _status_page(request, tracking)


@require_POST
def tracking_request(request: HttpRequest) -> HttpResponse:
    """« Je n'ai pas reçu le courrier » or « Renouveler mon inscription »."""
    tracking = _verified(request)
    if tracking is None:
        messages.warning(request, EXPIRED)
        return redirect("registration:tracking")
    form = LetterRequestForm(request.POST)
    if not form.is_valid():
        return _status_page(request, tracking, error="Cette demande n'existe pas.", status=400)
    kind = LetterRequestKind(form.cleaned_data["kind"])
    assert tracking.user is not None  # _verified
    try:
        made = letter_request(user=tracking.user, kind=kind)
    except ApplicationError as error:
        return _status_page(request, tracking, error=error.message, status=409)
    if kind == LetterRequestKind.RENEWAL:
        messages.success(
            request,
            f"Votre inscription est renouvelée : le courrier {made.letter.reference} avec un nouveau code temporaire "
            "va être adressé au représentant légal de votre établissement.",
        )
    else:
        messages.success(
            request,
            f"Un nouveau courrier ({made.letter.reference}) avec un nouveau code temporaire va être adressé au "
            "représentant légal de votre établissement. L'ancien code ne fonctionne plus.",
        )
    return redirect("registration:tracking_status")


@require_POST
def tracking_end(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    tracking = _tracking(state) if state is not None else None
    if tracking is not None:
        LetterTracking.objects.filter(pk=tracking.pk).update(completed_at=clock.now())
    request.session.pop(SESSION_KEY, None)
    messages.info(request, "Le suivi de votre courrier est fermé.")
    return redirect("accounts:login")
