"""« Administration »: « Liste des utilisateurs », « fiche d'identité », « Journal des actions »."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.http import ClientRequest
from espace.accounts.models import User
from espace.accounts.page_versions import USERS
from espace.accounts.perms import permission_required
from espace.accounts.second_factor import second_factor_state
from espace.accounts.selectors import establishment_admins
from espace.core.exceptions import ApplicationError
from espace.core.page_cache import page_cached
from espace.members.forms import DeactivateForm, JournalFilterForm, MemberFilterForm, PermissionsForm, SettingsForm
from espace.members.selectors import journal_for, members_for
from espace.members.services import (
    EstablishmentSettings,
    establishment_settings_update,
    member_activate,
    member_deactivate,
    member_reactivate,
    member_second_factor_reset,
    member_set_permissions,
)

PAGE_SIZE = 25


def _member(request: ClientRequest, public_id: UUID) -> User:
    # Through the establishment: another establishment's user answers 404.
    return get_object_or_404(request.establishment.users, public_id=public_id)


def _admin_context(request: ClientRequest) -> dict[str, object]:
    # One administrator or more: two ids at most, not every administrator's row.
    admins = establishment_admins(request.establishment).values_list("pk", flat=True)[:2]
    return {"single_admin": len(admins) == 1}


@permission_required(Permission.ADMINISTER_USERS)
@page_cached(USERS, params=(*MemberFilterForm.base_fields, "page"), colleagues=True)
def member_list(request: ClientRequest) -> HttpResponse:
    form = MemberFilterForm(request.GET or None)
    q, status = "", ""
    if form.is_valid():
        q, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    members = members_for(request.establishment, q=q, status=status)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "statuses": UserStatus,
        **_admin_context(request),
    }
    return render(request, "members/list.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(Permission.ADMINISTER_USERS)
def member_activate_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """« actif » in the list: in place with htmx, a plain form post without JavaScript."""
    member = _member(request, public_id)
    error = None
    try:
        member = member_activate(member=member, activated_by=request.user)
    except ApplicationError as exc:
        error = exc.message
    if request.htmx:
        return render(
            request, "members/_row.html", {"member": member, "row_error": error}, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Le compte de {member.get_full_name()} est actif.")
    return redirect("members:list")


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER_USERS)
@page_cached(USERS)  # the users and their second factors
def member_card(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """« Fiche d'identité »: requested vs granted permissions, « Valider »."""
    member = _member(request, public_id)
    initial = member.permissions if member.status != UserStatus.AWAITING_ADMIN else member.requested_permissions
    form = PermissionsForm(request.POST or None, initial={"permissions": initial})
    if request.method == "POST" and form.is_valid():
        try:
            member = member_set_permissions(
                member=member,
                changed_by=request.user,
                permissions=form.cleaned_data["permissions"],
            )
        except ApplicationError as error:
            form.add_error("permissions" if error.field else None, error.message)
        else:
            messages.success(request, f"Les habilitations de {member.get_full_name()} sont enregistrées.")
            return redirect("members:card", public_id=member.public_id)
    rows = [
        {
            "value": p.value,
            "label": p.label,
            "requested": p.value in member.requested_permissions,
            "granted": p.value in member.permissions,
        }
        for p in Permission
    ]
    context = {
        "member": member,
        "form": form,
        "rows": rows,
        "deactivate_form": DeactivateForm(),
        "second_factor": second_factor_state(member),
        "checked": set(form["permissions"].value() or []),
        **_admin_context(request),
    }
    return render(request, "members/card.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(Permission.ADMINISTER_USERS)
def member_deactivate_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    member = _member(request, public_id)
    form = DeactivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
        return redirect("members:card", public_id=member.public_id)
    try:
        member_deactivate(
            member=member,
            deactivated_by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Le compte de {member.get_full_name()} est désactivé.")
    return redirect("members:card", public_id=member.public_id)


@require_POST
@permission_required(Permission.ADMINISTER_USERS)
def member_second_factor_reset_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """« Réinitialiser la double authentification » of a colleague who lost their phone and codes."""
    member = _member(request, public_id)
    try:
        member_second_factor_reset(member=member, reset_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("members:card", public_id=member.public_id)
    messages.success(
        request,
        f"La double authentification de {member.get_full_name()} est réinitialisée : son application et ses codes "
        "de secours ne fonctionnent plus. Un e-mail l'en informe.",
    )
    return redirect("members:card", public_id=member.public_id)


@require_POST
@permission_required(Permission.ADMINISTER_USERS)
def member_reactivate_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    member = _member(request, public_id)
    try:
        member_reactivate(member=member, reactivated_by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Le compte de {member.get_full_name()} est réactivé.")
    return redirect("members:card", public_id=member.public_id)


@permission_required(Permission.ADMINISTER_USERS)
def journal(request: ClientRequest) -> HttpResponse:
    """« Journal des actions »: the establishment's audit trail."""
    form = JournalFilterForm(request.GET or None)
    action, q = "", ""
    if form.is_valid():
        action, q = form.cleaned_data["action"], form.cleaned_data["q"].strip()
    events = journal_for(request.establishment, action=action, q=q)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/journal.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER_USERS)
def establishment_settings(request: ClientRequest) -> HttpResponse:
    """« Paramètres de l'établissement »: the rules the administrator sets for everyone, its
    security policy among them (session length, networks)."""
    establishment = request.establishment
    initial = {
        "loan_requests_four_eyes": establishment.loan_requests_four_eyes,
        "session_idle_minutes": establishment.session_idle_minutes,
        "session_max_hours": establishment.session_max_hours,
        "web_networks": "\n".join(establishment.web_networks),
        "api_networks": "\n".join(establishment.api_networks),
        "second_factor_policy": establishment.second_factor_policy,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            establishment_settings_update(admin=request.user, wanted=EstablishmentSettings(**form.cleaned_data))
        except ApplicationError as error:
            error.add_to(form)
        else:
            messages.success(request, "Paramètres enregistrés.")
            return redirect("members:settings")
    return render(request, "members/settings.html", {"form": form}, status=400 if form.errors else 200)
