"""Back office, portfolio side: the queue of disbursement plan changes (loan officers) and the
daily imports with their reports (data managers)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from espace.accounts.http import StaffRequest
from espace.backoffice.enums import StaffPermission
from espace.backoffice.perms import staff_required
from espace.core.exceptions import ApplicationError
from espace.portfolio.disbursements import disbursement_change_decide, latest_draw_date
from espace.portfolio.enums import ChangeRequestStatus
from espace.portfolio.forms import DecisionForm
from espace.portfolio.models import DisbursementChangeRequest, ImportRun


@staff_required(StaffPermission.REVIEW_LOAN_REQUESTS)
def disbursement_queue(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("statut", ChangeRequestStatus.PENDING)
    if status not in ChangeRequestStatus.values:
        status = ChangeRequestStatus.PENDING
    changes = DisbursementChangeRequest.objects.filter(status=status).select_related(
        "line__contract__borrower", "line__product", "requested_by"
    )
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": ChangeRequestStatus.choices, "query": f"statut={status}"}
    return render(request, "backoffice/disbursements.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(StaffPermission.REVIEW_LOAN_REQUESTS)
def disbursement_decide(request: StaffRequest, public_id: UUID) -> HttpResponse:
    change = get_object_or_404(
        DisbursementChangeRequest.objects.select_related("line__contract__borrower", "line__product", "requested_by"),
        public_id=public_id,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disbursement_change_decide(
                change=change,
                staff=request.user,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            error.add_to(form)
        else:
            messages.success(
                request, f"Décision enregistrée pour la ligne {change.line.number} ; l'établissement est prévenu."
            )
            return redirect("backoffice:disbursements")
    context = {"change": change, "form": form, "latest": latest_draw_date(change.line)}
    return render(request, "backoffice/disbursement.html", context, status=400 if form.errors else 200)


@staff_required(StaffPermission.MANAGE_REGISTRY)
def import_runs(request: StaffRequest) -> HttpResponse:
    page = Paginator(ImportRun.objects.all(), 30).get_page(request.GET.get("page"))
    return render(request, "backoffice/imports.html", {"page": page, "query": ""})


@staff_required(StaffPermission.MANAGE_REGISTRY)
def import_run(request: StaffRequest, public_id: UUID) -> HttpResponse:
    run = get_object_or_404(ImportRun, public_id=public_id)
    return render(request, "backoffice/import.html", {"run": run})
