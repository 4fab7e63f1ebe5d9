"""« Administration » → « Jetons d'API »: the administrator issues, lists and revokes the tokens
of the establishment's software. A new token is shown once, in the answer to the form."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from espace.accounts.enums import Permission
from espace.accounts.http import ClientRequest
from espace.accounts.perms import permission_required
from espace.api.enums import TokenState
from espace.api.forms import TokenCreateForm
from espace.api.selectors import tokens_of
from espace.api.services import api_token_create, api_token_revoke
from espace.core import clock
from espace.core.exceptions import ApplicationError


@permission_required(Permission.ADMINISTER_USERS)
def token_list(request: ClientRequest) -> HttpResponse:
    now = clock.now()
    tokens = [(token, token.state_at(now)) for token in tokens_of(request.establishment)]
    return render(
        request,
        "api/token_list.html",
        {"tokens": tokens, "states": TokenState, "docs_url": reverse("api-v1:openapi-view")},
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER_USERS)
def token_create(request: ClientRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = api_token_create(
                establishment=request.establishment,
                created_by=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_on=form.cleaned_data["expires_on"],
                allowed_networks=form.networks(),
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            # The clear token is in this answer only (never in the session, a message or a redirect).
            return render(
                request,
                "api/token_created.html",
                {"token": issued.token, "clear": issued.clear, "api_root": request.build_absolute_uri("/api/v1/")},
            )
    return render(request, "api/token_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER_USERS)
def token_revoke(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    token = get_object_or_404(tokens_of(request.establishment), public_id=public_id)
    if request.method == "POST":
        try:
            api_token_revoke(token=token, revoked_by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne permet plus aucun appel.")
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token, "state": token.state_at(clock.now())})
