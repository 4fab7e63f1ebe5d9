"""Back-office screens. Thin: find through the ids in the URL, call a service, say what happened."""

from __future__ import annotations

import io
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.http import StaffRequest
from espace.accounts.models import User
from espace.backoffice.enums import StaffPermission
from espace.backoffice.forms import (
    ContactFilterForm,
    EstablishmentSearchForm,
    LetterFilterForm,
    LetterRequestFilterForm,
    ReasonForm,
    RefusalForm,
)
from espace.backoffice.perms import staff_required
from espace.backoffice.selectors import contact_requests_filtered, dashboard_for, establishment_page
from espace.backoffice.services import (
    establishment_start_succession,
    letter_mark_returned,
    letter_request_refuse,
    letters_print_batch,
    staff_regenerate_letter,
    staff_resend_identifier,
    staff_unlock,
)
from espace.core import clock
from espace.core.downloads import PDF, stored_file_response
from espace.core.exceptions import ApplicationError
from espace.core.uploads import is_downloadable, scan_explanation
from espace.establishments.models import Establishment
from espace.letters.enums import LetterRequestStatus, LetterStatus
from espace.letters.models import Letter, LetterRequest
from espace.members.services import member_deactivate, member_second_factor_reset
from espace.support.forms import AnswerForm
from espace.support.models import ContactRequest
from espace.support.services import contact_request_answer, contact_request_close


@staff_required(StaffPermission.VIEW_ESTABLISHMENTS)
def dashboard(request: StaffRequest) -> HttpResponse:
    form = EstablishmentSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    data = dashboard_for(query)
    context = {
        "form": form,
        "results": data.results,
        "query": query,
        "pending_letters": data.pending_letters,
        "new_requests": data.new_requests,
    }
    return render(request, "backoffice/dashboard.html", context)


@staff_required(StaffPermission.VIEW_ESTABLISHMENTS)
def establishment_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    establishment = get_object_or_404(Establishment.objects.select_related("regional_office"), public_id=public_id)
    page = establishment_page(establishment, users_page=request.GET.get("page"))
    context = {
        "establishment": establishment,
        "portfolio": page.portfolio,
        "users": page.users,
        "page": page.users,
        "query": "",
        "locked": page.locked,
        "second_factor": page.second_factor,
        "letters": page.letters,
        "events": page.events,
        "requests": page.requests,
        "reason_form": ReasonForm(),
    }
    return render(request, "backoffice/establishment.html", context)


def _user(public_id: UUID) -> User:
    return get_object_or_404(
        User.objects.select_related("establishment"), public_id=public_id, establishment__isnull=False
    )


def _back(user: User) -> HttpResponse:
    assert user.establishment is not None
    return redirect("backoffice:establishment", public_id=user.establishment.public_id)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def user_regenerate_letter(request: StaffRequest, public_id: UUID) -> HttpResponse:
    user = _user(public_id)
    try:
        letter = staff_regenerate_letter(user=user, staff=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"Nouveau courrier {letter.reference} généré pour {user.get_full_name()} ; l'ancien code ne fonctionne plus.",
        )
    return _back(user)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def user_resend_identifier(request: StaffRequest, public_id: UUID) -> HttpResponse:
    user = _user(public_id)
    staff_resend_identifier(user=user, staff=request.user)
    messages.success(request, f"L'identifiant a été renvoyé à {user.email}.")
    return _back(user)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def user_unlock(request: StaffRequest, public_id: UUID) -> HttpResponse:
    user = _user(public_id)
    staff_unlock(user=user, staff=request.user)
    messages.success(request, f"Le compte {user.username} est débloqué.")
    return _back(user)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def user_deactivate(request: StaffRequest, public_id: UUID) -> HttpResponse:
    user = _user(public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la désactivation.")
        return _back(user)
    try:
        member_deactivate(member=user, deactivated_by=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Le compte {user.username} est désactivé.")
    return _back(user)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def user_second_factor_reset(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The assistance resets a client user's second factor (an administrator's, typically: a
    colleague's is reset by their administrator), after checking who asks, with a reason."""
    user = _user(public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la réinitialisation.")
        return _back(user)
    try:
        member_second_factor_reset(member=user, reset_by=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"La double authentification de {user.username} est réinitialisée.")
    return _back(user)


@require_POST
@staff_required(StaffPermission.ASSIST_USERS)
def establishment_succession(request: StaffRequest, public_id: UUID) -> HttpResponse:
    establishment = get_object_or_404(Establishment, public_id=public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de la succession.")
    else:
        changed = establishment_start_succession(
            establishment=establishment,
            staff=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            f"Succession ouverte ({changed} compte(s) modifié(s)) : le prochain inscrit deviendra administrateur.",
        )
    return redirect("backoffice:establishment", public_id=establishment.public_id)


@staff_required(StaffPermission.MANAGE_LETTERS)
def letter_list(request: StaffRequest) -> HttpResponse:
    form = LetterFilterForm(request.GET or None)
    letters = Letter.objects.select_related("establishment", "account_holder").order_by("-created_at")
    if form.is_valid() and form.cleaned_data["status"]:
        letters = letters.filter(status=form.cleaned_data["status"])
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    pending = Letter.objects.filter(status=LetterStatus.PENDING, superseded=False).exclude(pdf="").count()
    requests_to_review = LetterRequest.objects.filter(
        status=LetterRequestStatus.GRANTED, letter__status=LetterStatus.PENDING, letter__superseded=False
    ).count()
    return render(
        request,
        "backoffice/letters.html",
        {"form": form, "page": page, "pending": pending, "requests_to_review": requests_to_review},
        status=400 if form.errors else 200,
    )


@staff_required(StaffPermission.MANAGE_LETTERS)
def letter_requests(request: StaffRequest) -> HttpResponse:
    """The new letters first users asked for themselves (« Suivre mon courrier d'activation »)."""
    form = LetterRequestFilterForm(request.GET or None)
    rows = LetterRequest.objects.select_related("establishment", "account_holder", "letter").order_by("-created_at")
    if form.is_valid() and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/letter_requests.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.MANAGE_LETTERS)
def letter_request_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    letter_request = get_object_or_404(
        LetterRequest.objects.select_related("establishment", "account_holder", "letter", "refused_by"),
        public_id=public_id,
    )
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter_request_refuse(letter_request=letter_request, staff=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                f"Demande refusée : le courrier {letter_request.letter.reference} ne partira pas, "
                f"{letter_request.account_holder.get_full_name()} en est informé par e-mail.",
            )
            return redirect("backoffice:letter_request", public_id=letter_request.public_id)
    history = LetterRequest.objects.filter(account_holder=letter_request.account_holder).count()
    return render(
        request,
        "backoffice/letter_request.html",
        {"item": letter_request, "form": form, "history": history},
        status=400 if form.errors else 200,
    )


@staff_required(StaffPermission.MANAGE_LETTERS)
def letter_pdf(request: StaffRequest, public_id: UUID) -> FileResponse:
    letter = get_object_or_404(Letter, public_id=public_id)
    if not letter.pdf:
        raise Http404
    return stored_file_response(letter.pdf, filename=f"{letter.reference}.pdf", content_type=PDF)


@require_POST
@staff_required(StaffPermission.MANAGE_LETTERS)
def letter_returned(request: StaffRequest, public_id: UUID) -> HttpResponse:
    letter = get_object_or_404(Letter, public_id=public_id)
    try:
        letter_mark_returned(letter=letter, staff=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Courrier {letter.reference} déclaré retourné.")
    return redirect("backoffice:letters")


@require_POST
@staff_required(StaffPermission.MANAGE_LETTERS)
def letters_export_batch(request: StaffRequest) -> HttpResponseBase:
    """The print batch from the screen: the command's merged PDF and manifest, zipped."""
    batch = letters_print_batch(staff=request.user)
    if batch is None:
        messages.info(request, "Aucun courrier à exporter.")
        return redirect("backoffice:letters")
    return FileResponse(io.BytesIO(batch), as_attachment=True, filename=f"courriers-{clock.now():%Y%m%d-%H%M%S}.zip")


@staff_required(StaffPermission.ANSWER_CONTACT_REQUESTS)
def contact_list(request: StaffRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    requests = contact_requests_filtered(
        team=data.get("team", ""), status=data.get("status", ""), query=data.get("q", "").strip()
    )
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/contacts.html", {"form": form, "page": page}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.ANSWER_CONTACT_REQUESTS)
def contact_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    contact = get_object_or_404(ContactRequest.objects.select_related("establishment", "user"), public_id=public_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "close":
            contact_request_close(contact=contact, closed_by=request.user)
            messages.success(request, f"Demande {contact.reference} close.")
            return redirect("backoffice:contacts")
        if form.is_valid():
            try:
                contact_request_answer(contact=contact, author=request.user, body=form.cleaned_data["body"])
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Réponse envoyée à {contact.sender_email}.")
                return redirect("backoffice:contact", public_id=contact.public_id)
    context = {
        "contact": contact,
        "form": form,
        "answers": contact.answers.select_related("author"),
        "downloadable": bool(contact.attachment) and is_downloadable(contact.attachment_scan),
        "scan_explanation": scan_explanation(contact.attachment_scan),
    }
    return render(request, "backoffice/contact.html", context, status=400 if form.errors else 200)


@staff_required(StaffPermission.ANSWER_CONTACT_REQUESTS)
def contact_attachment(request: StaffRequest, public_id: UUID) -> FileResponse:
    contact = get_object_or_404(ContactRequest, public_id=public_id)
    if not contact.attachment or not is_downloadable(contact.attachment_scan):
        raise Http404
    return stored_file_response(
        contact.attachment, filename=contact.attachment_name or "piece-jointe", content_type=contact.attachment_type
    )
