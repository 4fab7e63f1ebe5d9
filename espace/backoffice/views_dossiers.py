"""Back office, loan requests: the regional office's queue of dossiers and the instruction page
(take a dossier, ask for documents, change its status, issue the offer, record the contract,
write to the establishment). Role « Chargé de prêts »; a loan officer sees their regional office's
dossiers only, unless they hold « toutes les directions régionales »."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from espace.accounts.http import StaffRequest
from espace.backoffice.enums import StaffPermission
from espace.backoffice.perms import staff_required
from espace.core.downloads import stored_file_response
from espace.core.exceptions import ApplicationError
from espace.core.uploads import is_downloadable
from espace.loan_requests.enums import OPEN_STATUSES, RequestStatus
from espace.loan_requests.files import message_post
from espace.loan_requests.forms import ContractForm, DocumentsRequestForm, MessageForm, StatusForm
from espace.loan_requests.instruction import (
    contract_record,
    documents_request,
    dossier_assign,
    offer_issue,
    status_change,
)
from espace.loan_requests.models import LoanRequest
from espace.loan_requests.perms import Officer
from espace.loan_requests.selectors import file_for, office_queue, request_detail

REVIEW = StaffPermission.REVIEW_LOAN_REQUESTS


def _officer(request: StaffRequest) -> Officer:
    return Officer(user=request.user, all_offices=request.user.has_perm(StaffPermission.REVIEW_ALL_OFFICES.perm))


def _dossier(request: StaffRequest, public_id: UUID) -> tuple[LoanRequest, Officer]:
    officer = _officer(request)
    loan_request = (
        LoanRequest.objects.select_related(
            "establishment", "created_by", "sent_by", "assigned_to", "regional_office", "contract"
        )
        .filter(public_id=public_id, dossier_number__isnull=False)
        .first()
    )
    if loan_request is None or not officer.may_see(loan_request):
        raise Http404  # another office's dossier is not even named
    return loan_request, officer


@staff_required(REVIEW)
def dossier_queue(request: StaffRequest) -> HttpResponse:
    officer = _officer(request)
    status = request.GET.get("statut", "")
    if status not in RequestStatus.values:
        status = ""
    q = request.GET.get("q", "").strip()[:100]
    dossiers = office_queue(
        office_id=request.user.regional_office_id, all_offices=officer.all_offices, status=status, q=q
    )
    page = Paginator(dossiers, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "q": q,
        "statuses": [(value, label) for value, label in RequestStatus.choices if value not in {"draft", "to_validate"}],
        "officer": officer,
        "query": f"statut={status}&q={q}",
    }
    return render(request, "backoffice/dossiers.html", context)


def _page(request: StaffRequest, loan_request: LoanRequest, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "loan_request": loan_request,
        **request_detail(loan_request).context(),
        "open": loan_request.status in OPEN_STATUSES,
        "documents_form": forms.get("documents_form") or DocumentsRequestForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "contract_form": forms.get("contract_form") or ContractForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "portfolio_lines": list(loan_request.contract.lines.all()) if loan_request.contract else [],
    }
    return render(request, "backoffice/dossier.html", context, status=status)


@staff_required(REVIEW)
def dossier_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, _officer = _dossier(request, public_id)
    return _page(request, loan_request)


def _done(request: StaffRequest, loan_request: LoanRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("backoffice:dossier", public_id=loan_request.public_id)


def _refused(request: StaffRequest, loan_request: LoanRequest, error: ApplicationError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("backoffice:dossier", public_id=loan_request.public_id)


@require_POST
@staff_required(REVIEW)
def dossier_take(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    try:
        dossier_assign(loan_request=loan_request, officer=officer)
    except ApplicationError as error:
        return _refused(request, loan_request, error)
    return _done(request, loan_request, "Vous suivez ce dossier.")


@require_POST
@staff_required(REVIEW)
def dossier_documents(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    form = DocumentsRequestForm(request.POST)
    if form.is_valid():
        try:
            documents_request(
                loan_request=loan_request,
                officer=officer,
                reason=form.cleaned_data["reason"],
                due_on=form.cleaned_data["due_on"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            return _done(request, loan_request, "Demande de documents envoyée à l'établissement.")
    return _page(request, loan_request, status=400, documents_form=form)


@require_POST
@staff_required(REVIEW)
def dossier_status(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            status_change(
                loan_request=loan_request,
                officer=officer,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            return _done(request, loan_request, "Statut enregistré ; l'établissement est prévenu.")
    return _page(request, loan_request, status=400, status_form=form)


@require_POST
@staff_required(REVIEW)
def dossier_offer(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    try:
        offer_issue(loan_request=loan_request, officer=officer)
    except ApplicationError as error:
        return _refused(request, loan_request, error)
    return _done(request, loan_request, "Offre de prêt émise : elle est dans le dossier de l'établissement.")


@require_POST
@staff_required(REVIEW)
def dossier_contract(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            contract_record(
                loan_request=loan_request,
                officer=officer,
                number=form.cleaned_data["number"],
                signed_on=form.cleaned_data["signed_on"],
                first_due=form.cleaned_data["first_due"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            return _done(
                request, loan_request, "Contrat enregistré : les prêts sont dans les encours de l'établissement."
            )
    return _page(request, loan_request, status=400, contract_form=form)


@require_POST
@staff_required(REVIEW)
def dossier_message(request: StaffRequest, public_id: UUID) -> HttpResponse:
    loan_request, officer = _dossier(request, public_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_post(
                loan_request=loan_request,
                user=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data.get("file"),
                officer=officer,
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            return _done(request, loan_request, "Message envoyé à l'établissement.")
    return _page(request, loan_request, status=400, message_form=form)


@staff_required(REVIEW)
def dossier_file(request: StaffRequest, public_id: UUID, file_id: UUID) -> FileResponse:
    loan_request, _officer = _dossier(request, public_id)
    stored = file_for(loan_request, file_id)
    if stored is None or not is_downloadable(stored.scan):
        raise Http404
    return stored_file_response(stored.file, filename=stored.name, content_type=stored.mime_type)
