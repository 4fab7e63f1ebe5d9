"""« Demandes de prêt » and « Dossiers »: entry in steps, the summary with « Envoyer », the
dossier page. Every object is reached through the user's establishment (another's: 404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from espace.accounts.enums import Permission
from espace.accounts.http import ClientRequest
from espace.accounts.page_versions import USERS
from espace.accounts.perms import permission_required
from espace.core import clock
from espace.core.downloads import stored_file_response
from espace.core.exceptions import ApplicationError
from espace.core.page_cache import page_cached
from espace.core.panels import panels_render
from espace.core.replica import reads_from_replica
from espace.core.uploads import ScanStatus, is_downloadable
from espace.finance import FinanceInputError
from espace.loan_requests import exports
from espace.loan_requests.entry import (
    GuaranteeInput,
    dwelling_add,
    dwelling_remove,
    guarantees_set,
    line_remove,
    line_save,
    request_create,
    request_delete,
    request_send,
    request_submit,
    request_update,
)
from espace.loan_requests.enums import EDITABLE_STATUSES, FileKind, RequestKind
from espace.loan_requests.files import complement_add, message_post, required_file_add, required_file_remove
from espace.loan_requests.forms import (
    CommentForm,
    ComplementForm,
    DwellingForm,
    FilterForm,
    GuaranteesForm,
    LineForm,
    LocalFinancingForm,
    LocalProjectForm,
    MessageForm,
    NewRequestForm,
    OperationForm,
    PlanForm,
    UploadForm,
)
from espace.loan_requests.models import LoanRequest, RequestLine
from espace.loan_requests.page_versions import REQUESTS
from espace.loan_requests.perms import add_refusal, can_edit, send_refusal
from espace.loan_requests.selectors import (
    LIST_FIELDS,
    dossier_rows,
    file_for,
    request_detail,
    request_for,
    requests_filtered,
)
from espace.loan_requests.steps import (
    LineSchedules,
    financing_balance,
    required_documents,
    schedule_parts,
    steps_of,
    steps_state,
)
from espace.portfolio.page_versions import PORTFOLIO, SHARED_SCOPES
from espace.products.enums import Sector
from espace.products.page_versions import RATES
from espace.products.selectors import livret_a_history

EDIT = (Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS)
READ = (Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS)
PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _request(request: ClientRequest, public_id: UUID) -> LoanRequest:
    found = request_for(request.establishment, public_id)
    if found is None:
        raise Http404
    return found


def _editable(request: ClientRequest, public_id: UUID) -> LoanRequest:
    loan_request = _request(request, public_id)
    if loan_request.status not in EDITABLE_STATUSES:
        raise Http404  # a sent request has no entry pages: its dossier page shows it read-only
    return loan_request


@dataclass(frozen=True)
class StepLink:
    """One entry of the entry's stepper."""

    label: str
    state: str  # current, done or todo
    url: str


def _stepper(loan_request: LoanRequest, current: str) -> list[StepLink]:
    return [
        StepLink(
            label=f"{index}. {state.label}",
            state="current" if state.slug == current else ("done" if state.complete else "todo"),
            url=reverse("loan_requests:step", kwargs={"public_id": loan_request.public_id, "slug": state.slug}),
        )
        for index, state in enumerate(steps_state(loan_request), start=1)
    ]


def _next_step(loan_request: LoanRequest, slug: str) -> str:
    slugs = [item for item, _label in steps_of(loan_request)]
    index = slugs.index(slug)
    if index + 1 < len(slugs):
        return reverse("loan_requests:step", kwargs={"public_id": loan_request.public_id, "slug": slugs[index + 1]})
    return reverse("loan_requests:summary", kwargs={"public_id": loan_request.public_id})


@reads_from_replica
@permission_required(*READ)
@page_cached(REQUESTS, USERS, shared=(RATES,), params=(*FilterForm.base_fields, "page"), colleagues=True)
def request_list(request: ClientRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    requests = requests_filtered(request.establishment, **filters).only(*LIST_FIELDS)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": dossier_rows(page.object_list),
        "query": query.urlencode(),
        "can_edit": can_edit(request.user),
    }
    return render(request, "loan_requests/list.html", context, status=400 if form.errors else 200)


@reads_from_replica
@permission_required(*READ)
def request_export(request: ClientRequest, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    form = FilterForm(request.GET or None)
    if fmt not in {"csv", "xlsx"} or (form.is_bound and not form.is_valid()):
        raise Http404
    filters = {key: value for key, value in form.cleaned_data.items() if value} if form.is_bound else {}
    requests_qs = requests_filtered(request.establishment, **filters)
    name = f"demandes-{request.establishment.client_number}-{clock.today():%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.requests_csv(requests_qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return FileResponse(
        exports.requests_xlsx(requests_qs), as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX
    )


@require_http_methods(["GET", "POST"])
@permission_required(*EDIT)
def request_new(request: ClientRequest) -> HttpResponse:
    form = NewRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loan_request = request_create(
                establishment=request.establishment,
                user=request.user,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            first = steps_of(loan_request)[0][0]
            return redirect("loan_requests:step", public_id=loan_request.public_id, slug=first)
    return render(request, "loan_requests/new.html", {"form": form}, status=400 if form.errors else 200)


@permission_required(*READ)
# Its authors, its contract's lines, its planned guarantors' names.
@page_cached(REQUESTS, USERS, PORTFOLIO, shared=SHARED_SCOPES, panels=("loan_requests.dossier",), colleagues=True)
def request_detail_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    """A draft opens on its summary; a sent request is a dossier page."""
    loan_request = _request(request, public_id)
    if loan_request.status in EDITABLE_STATUSES:
        return redirect("loan_requests:summary", public_id=public_id)
    detail = request_detail(loan_request)
    may_add = add_refusal(loan_request, request.user) is None
    context = {
        "loan_request": loan_request,
        **detail.context(),
        "may_add": may_add,
        "complement_form": ComplementForm(loan_request=loan_request) if may_add else None,
        "message_form": MessageForm() if may_add else None,
        "portfolio_lines": list(loan_request.contract.lines.all()) if loan_request.contract else [],
        "panels": panels_render("loan_requests.dossier", request, loan_request),
    }
    return render(request, "loan_requests/dossier.html", context)


# The steps.


def _step_context(loan_request: LoanRequest, slug: str, **extra: Any) -> dict[str, Any]:
    labels = dict(steps_of(loan_request))
    return {
        "loan_request": loan_request,
        "slug": slug,
        "step_label": labels[slug],
        "steps": _stepper(loan_request, slug),
        "next_url": _next_step(loan_request, slug),
        **extra,
    }


def _simple_step(
    request: ClientRequest,
    loan_request: LoanRequest,
    slug: str,
    form_class: Any,
    template: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if form_class in (OperationForm, LocalProjectForm, CommentForm):
        form = form_class(request.POST or None, instance=loan_request)
    else:
        initial = {name: getattr(loan_request, name) for name in form_class.base_fields}
        form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        request_update(loan_request=loan_request, user=request.user, data=data)
        messages.success(request, "Étape enregistrée.")
        target = _next_step(loan_request, slug) if "continuer" in request.POST else request.path
        return redirect(target)
    status = 400 if form.errors else 200
    return render(request, template, _step_context(loan_request, slug, form=form, **(extra or {})), status=status)


@require_http_methods(["GET", "POST"])
@permission_required(*EDIT)
def request_step(request: ClientRequest, public_id: UUID, slug: str) -> HttpResponse:
    loan_request = _editable(request, public_id)
    if slug not in dict(steps_of(loan_request)):
        raise Http404
    housing = loan_request.kind == RequestKind.HOUSING
    if slug == "operation":
        return _simple_step(request, loan_request, slug, OperationForm, "loan_requests/step_form.html")
    if slug == "projet":
        return _simple_step(request, loan_request, slug, LocalProjectForm, "loan_requests/step_form.html")
    if slug == "plan":
        return _plan_step(request, loan_request)
    if slug == "commentaire":
        return _simple_step(request, loan_request, slug, CommentForm, "loan_requests/step_form.html")
    if slug == "logements":
        return _dwellings_step(request, loan_request)
    if slug in {"lignes", "financement"}:
        return _lines_step(
            request, loan_request, slug, sector=Sector.SOCIAL_HOUSING if housing else Sector.LOCAL_PUBLIC_SECTOR
        )
    if slug == "garanties":
        return _guarantees_step(request, loan_request)
    return _documents_step(request, loan_request)


def _plan_step(request: ClientRequest, loan_request: LoanRequest) -> HttpResponse:
    cost, resources = financing_balance(loan_request)
    loans = sum((line.amount for line in loan_request.lines.all()), start=cost * 0)
    extra = {"cost": cost, "resources": resources, "loans": loans, "gap": resources - cost}
    return _simple_step(request, loan_request, "plan", PlanForm, "loan_requests/step_plan.html", extra)


def _dwellings_step(request: ClientRequest, loan_request: LoanRequest) -> HttpResponse:
    form = DwellingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dwelling_add(loan_request=loan_request, user=request.user, **form.cleaned_data)
        messages.success(request, "Logements ajoutés.")
        return redirect(request.path)
    context = _step_context(loan_request, "logements", form=form, dwellings=list(loan_request.dwellings.all()))
    return render(request, "loan_requests/step_dwellings.html", context, status=400 if form.errors else 200)


def _line_rows(loan_request: LoanRequest) -> list[LineSchedules]:
    history = livret_a_history()
    rows = []
    for line in loan_request.lines.select_related("product").order_by("pk"):
        try:
            parts = schedule_parts(line, history)
        except FinanceInputError:
            parts = []
        rows.append(LineSchedules(line, parts))
    return rows


def _lines_step(request: ClientRequest, loan_request: LoanRequest, slug: str, *, sector: str) -> HttpResponse:
    local = slug == "financement"
    amount_form = None
    if local:
        initial = {"requested_amount": loan_request.requested_amount, "requested_years": loan_request.requested_years}
        amount_form = LocalFinancingForm(
            request.POST if request.POST.get("section") == "montant" else None, initial=initial
        )
        if amount_form.is_bound and amount_form.is_valid():
            request_update(loan_request=loan_request, user=request.user, data=amount_form.cleaned_data)
            messages.success(request, "Montant et durée enregistrés.")
            target = _next_step(loan_request, slug) if "continuer" in request.POST else request.path
            return redirect(target)
    form = LineForm(request.POST if request.POST.get("section") == "ligne" else None, sector=sector)
    if form.is_bound and form.is_valid():
        line_save(loan_request=loan_request, user=request.user, data=form.cleaned_data)
        messages.success(request, "Ligne de prêt ajoutée, avec son échéancier simulé.")
        return redirect(request.path)
    context = _step_context(
        loan_request, slug, form=form, amount_form=amount_form, rows=_line_rows(loan_request), local=local
    )
    errors = form.errors or (amount_form is not None and amount_form.errors)
    return render(request, "loan_requests/step_lines.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(*EDIT)
def line_edit(request: ClientRequest, public_id: UUID, line_id: int) -> HttpResponse:
    loan_request = _editable(request, public_id)
    line = get_object_or_404(RequestLine.objects.select_related("product"), request=loan_request, pk=line_id)
    sector = Sector.SOCIAL_HOUSING if loan_request.kind == RequestKind.HOUSING else Sector.LOCAL_PUBLIC_SECTOR
    form = LineForm(request.POST or None, initial=LineForm.initial_from(line), sector=sector)
    slug = "lignes" if loan_request.kind == RequestKind.HOUSING else "financement"
    if request.method == "POST" and form.is_valid():
        try:
            line_save(loan_request=loan_request, user=request.user, data=form.cleaned_data, line=line)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Ligne de prêt enregistrée.")
            return redirect("loan_requests:step", public_id=public_id, slug=slug)
    context = _step_context(loan_request, slug, form=form, line=line)
    return render(request, "loan_requests/line_edit.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(*EDIT)
def line_delete(request: ClientRequest, public_id: UUID, line_id: int) -> HttpResponse:
    loan_request = _editable(request, public_id)
    line = get_object_or_404(RequestLine, request=loan_request, pk=line_id)
    line_remove(line=line, user=request.user)
    messages.success(request, "Ligne de prêt supprimée.")
    slug = "lignes" if loan_request.kind == RequestKind.HOUSING else "financement"
    return redirect("loan_requests:step", public_id=public_id, slug=slug)


@require_POST
@permission_required(*EDIT)
def dwelling_delete(request: ClientRequest, public_id: UUID, dwelling_id: int) -> HttpResponse:
    loan_request = _editable(request, public_id)
    dwelling = get_object_or_404(loan_request.dwellings, pk=dwelling_id)
    dwelling_remove(dwelling=dwelling, user=request.user)
    messages.success(request, "Ligne de logements supprimée.")
    return redirect("loan_requests:step", public_id=public_id, slug="logements")


def _guarantee_initial(line: RequestLine) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    index = 1
    for guarantee in line.guarantees.all():
        if guarantee.guarantor is None:
            initial["cglls_share"] = guarantee.share_percent.normalize()
        else:
            initial[f"guarantor_{index}"] = guarantee.guarantor.legal_name
            initial[f"share_{index}"] = guarantee.share_percent.normalize()
            index += 1
    return initial


def _guarantees_step(request: ClientRequest, loan_request: LoanRequest) -> HttpResponse:
    lines = list(loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor").order_by("pk"))
    posted_line = request.POST.get("line") if request.method == "POST" else None
    forms_by_line = []
    has_errors = False
    for line in lines:
        bound = posted_line == str(line.pk)
        form = GuaranteesForm(request.POST if bound else None, initial=_guarantee_initial(line), prefix=f"l{line.pk}")
        if bound and form.is_valid():
            items = [GuaranteeInput(guarantor, share) for guarantor, share in form.cleaned_data["items"]]
            try:
                guarantees_set(line=line, user=request.user, items=items)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Garanties de la ligne {line.product.name} enregistrées.")
                return redirect(request.path)
        has_errors = has_errors or bool(form.errors)
        total = sum((guarantee.share_percent for guarantee in line.guarantees.all()), start=line.amount * 0)
        forms_by_line.append({"line": line, "form": form, "total": total})
    context = _step_context(loan_request, "garanties", items=forms_by_line)
    return render(request, "loan_requests/step_guarantees.html", context, status=400 if has_errors else 200)


def _documents_step(request: ClientRequest, loan_request: LoanRequest) -> HttpResponse:
    required = required_documents(loan_request)
    files = {stored.required_document_id: stored for stored in loan_request.files.filter(kind=FileKind.REQUIRED)}
    form = UploadForm(request.POST or None, request.FILES or None)
    posted = request.POST.get("document") if request.method == "POST" else None
    if request.method == "POST" and form.is_valid():
        document = next((item for item in required if str(item.pk) == posted), None)
        if document is None:
            form.add_error(None, "Choisissez le document à déposer dans la liste.")
        else:
            try:
                stored = required_file_add(
                    loan_request=loan_request,
                    user=request.user,
                    required_document=document,
                    upload=form.cleaned_data["file"],
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                if stored.scan == ScanStatus.PENDING:
                    messages.info(request, f"« {stored.name} » est déposé : analyse antivirus en cours.")
                else:
                    messages.success(request, f"« {stored.name} » est déposé.")
                return redirect(request.path)
    items = [{"document": document, "file": files.get(document.pk)} for document in required]
    context = _step_context(loan_request, "documents", form=form, items=items, posted=posted)
    return render(request, "loan_requests/step_documents.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required(*EDIT)
def file_delete(request: ClientRequest, public_id: UUID, file_id: UUID) -> HttpResponse:
    loan_request = _editable(request, public_id)
    stored = file_for(loan_request, file_id)
    if stored is None:
        raise Http404
    try:
        required_file_remove(stored=stored, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"« {stored.name} » est retiré.")
    return redirect("loan_requests:step", public_id=public_id, slug="documents")


@permission_required(*READ)
def file_download(request: ClientRequest, public_id: UUID, file_id: UUID) -> FileResponse:
    loan_request = _request(request, public_id)
    stored = file_for(loan_request, file_id)
    if stored is None or not is_downloadable(stored.scan):
        raise Http404
    return stored_file_response(stored.file, filename=stored.name, content_type=stored.mime_type)


# The summary, submitting and sending.


@permission_required(*EDIT)
def request_summary(request: ClientRequest, public_id: UUID) -> HttpResponse:
    loan_request = _request(request, public_id)
    if loan_request.status not in EDITABLE_STATUSES:
        return redirect("loan_requests:detail", public_id=public_id)
    states = steps_state(loan_request)
    complete = all(state.complete for state in states)
    detail = request_detail(loan_request)
    context = {
        "loan_request": loan_request,
        "states": states,
        "steps": _stepper(loan_request, ""),
        "complete": complete,
        "send_refusal": send_refusal(loan_request, request.user),
        "rows": _line_rows(loan_request),
        **detail.context(),
    }
    return render(request, "loan_requests/summary.html", context)


def _act(request: ClientRequest, public_id: UUID, action: Any, success: str) -> HttpResponse:
    loan_request = _request(request, public_id)
    try:
        action(loan_request=loan_request, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("loan_requests:summary", public_id=public_id)
    loan_request.refresh_from_db()
    messages.success(request, success.format(number=loan_request.dossier_number))
    return redirect("loan_requests:detail", public_id=public_id)


@require_POST
@permission_required(*EDIT)
def request_submit_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request, public_id, request_submit, "Demande soumise : les validateurs de votre établissement sont prévenus."
    )


@require_POST
@permission_required(Permission.VALIDATE_LOAN_REQUESTS)
def request_send_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    return _act(
        request,
        public_id,
        request_send,
        "Demande transmise à votre direction régionale : dossier {number}. Un accusé de réception vous est envoyé.",
    )


@require_POST
@permission_required(*EDIT)
def request_delete_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    loan_request = _editable(request, public_id)
    request_delete(loan_request=loan_request, user=request.user)
    messages.success(request, f"Le brouillon « {loan_request.name} » est supprimé.")
    return redirect("loan_requests:list")


# The dossier: complements and messages.


@require_POST
@permission_required(*EDIT)
def complement_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    loan_request = _request(request, public_id)
    form = ComplementForm(request.POST, request.FILES, loan_request=loan_request)
    if form.is_valid():
        try:
            stored = complement_add(
                loan_request=loan_request,
                user=request.user,
                upload=form.cleaned_data["file"],
                document_request=form.cleaned_data["document_request"],
            )
        except ApplicationError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
        else:
            pending = " (analyse antivirus en cours)" if stored.scan == ScanStatus.PENDING else ""
            messages.success(request, f"« {stored.name} » est ajouté au dossier{pending}.")
            return redirect("loan_requests:detail", public_id=public_id)
    return _dossier_with_errors(request, loan_request, complement_form=form)


@require_POST
@permission_required(*EDIT)
def message_view(request: ClientRequest, public_id: UUID) -> HttpResponse:
    loan_request = _request(request, public_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_post(
                loan_request=loan_request,
                user=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data.get("file"),
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            messages.success(request, "Message envoyé à votre direction régionale.")
            return redirect("loan_requests:detail", public_id=public_id)
    return _dossier_with_errors(request, loan_request, message_form=form)


def _dossier_with_errors(request: ClientRequest, loan_request: LoanRequest, **forms: Any) -> HttpResponse:
    if loan_request.status in EDITABLE_STATUSES:
        raise Http404
    may_add = add_refusal(loan_request, request.user) is None
    context = {
        "loan_request": loan_request,
        **request_detail(loan_request).context(),
        "may_add": may_add,
        "complement_form": ComplementForm(loan_request=loan_request),
        "message_form": MessageForm(),
        "portfolio_lines": list(loan_request.contract.lines.all()) if loan_request.contract else [],
        "panels": panels_render("loan_requests.dossier", request, loan_request),
        **forms,
    }
    return render(request, "loan_requests/dossier.html", context, status=400)
