"""« Mon compte » → « Mes notifications », and the unsubscribe link of every notification e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from espace.accounts.http import ClientRequest
from espace.accounts.perms import client_required
from espace.core.exceptions import ApplicationError
from espace.notifications.enums import NotificationKind
from espace.notifications.forms import PreferencesForm
from espace.notifications.services import (
    ALL_KINDS,
    entitled_kinds,
    preference_for,
    preferences_update,
    unsubscribe,
    unsubscribe_read,
)


@client_required
@require_http_methods(["GET", "POST"])
def preferences(request: ClientRequest) -> HttpResponse:
    kinds = entitled_kinds(request.user)
    current = preference_for(request.user)
    initial = {
        "kinds": [kind.value for kind in kinds if kind.value not in current.disabled_kinds],
        "delivery": current.delivery,
    }
    form = PreferencesForm(request.POST or None, initial=initial, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            preferences_update(
                user=request.user, enabled=form.cleaned_data["kinds"], delivery=form.cleaned_data["delivery"]
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            messages.success(request, "Vos préférences de notification sont enregistrées.")
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_kinds": bool(kinds)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the signed link says who and what. GET only asks (mail scanners follow links);
    the button turns the notification off."""
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, kind = found
    label = "toutes les notifications" if kind == ALL_KINDS else f"« {NotificationKind(kind).label} »"
    if request.method == "POST":
        unsubscribe(user=user, kind=kind)
        return render(request, "notifications/unsubscribe.html", {"label": label, "done": True})
    return render(request, "notifications/unsubscribe.html", {"label": label, "done": False})
