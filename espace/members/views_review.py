"""« Administration » → « Revue des accès »: the one screen where an administrator keeps, changes
(on the card) or deactivates each active user, and the CSV of each review for the auditors."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from espace.accounts.enums import Permission
from espace.accounts.http import ClientRequest
from espace.accounts.perms import permission_required
from espace.core.exceptions import ApplicationError
from espace.members.enums import ReviewDecision
from espace.members.models import AccessReview, AccessReviewItem
from espace.members.review import access_review_csv, access_review_submit, open_review_for, review_interval

LABELS = {p.value: str(p.label) for p in Permission}


@dataclass(frozen=True)
class ReviewRow:
    item_id: int
    full_name: str
    username: str
    permissions: str
    last_login: str
    inactive: bool
    decided: str
    choice: str
    card_url: str


def _rows(items: list[AccessReviewItem], posted: dict[str, str]) -> list[ReviewRow]:
    rows = []
    for item in items:
        default = ReviewDecision.DEACTIVATED if item.inactive else ReviewDecision.KEPT
        rows.append(
            ReviewRow(
                item_id=item.pk,
                full_name=item.user.get_full_name(),
                username=item.user.username,
                permissions=", ".join(LABELS.get(p, p) for p in item.permissions) or "aucune",
                last_login=timezone.localtime(item.last_login).strftime("%d/%m/%Y") if item.last_login else "jamais",
                inactive=item.inactive,
                decided=str(item.get_decision_display()) if item.decision else "",
                choice=posted.get(f"decision-{item.pk}", default),
                card_url=reverse("members:card", kwargs={"public_id": item.user.public_id}),
            )
        )
    return rows


def _decisions(request: ClientRequest) -> dict[int, str]:
    found = {}
    for key, value in request.POST.items():
        prefix, _, pk = key.partition("-")
        if prefix == "decision" and pk.isdigit():
            found[int(pk)] = str(value)
    return found


@require_http_methods(["GET", "POST"])
@permission_required(Permission.ADMINISTER_USERS)
def review(request: ClientRequest) -> HttpResponse:
    current = open_review_for(request.establishment)
    error, status = "", 200
    if request.method == "POST":
        if current is None:
            error, status = "Aucune revue des accès n'est en cours pour votre établissement.", 400
        else:
            try:
                done = access_review_submit(review=current, admin=request.user, decisions=_decisions(request))
            except ApplicationError as failure:
                error, status = failure.message, 400
            else:
                deactivated = done.items.filter(decided_by=request.user, decision=ReviewDecision.DEACTIVATED).count()
                messages.success(
                    request,
                    f"Revue des accès terminée : {done.items.count()} utilisateur(s) revu(s), "
                    f"{deactivated} désactivé(s). Elle est inscrite au journal des actions.",
                )
                return redirect("members:review")
    items = list(current.items.select_related("user")) if current is not None else []
    past = AccessReview.objects.filter(establishment=request.establishment)
    if current is not None:
        past = past.exclude(pk=current.pk)
    context = {
        "current": current,
        "rows": _rows(
            items, {key: str(request.POST.get(key, "")) for key in request.POST} if request.method == "POST" else {}
        ),
        "past": past.select_related("completed_by")[:12],
        "error": error,
        "interval_months": round(review_interval().days * 12 / 365),
    }
    return render(request, "members/review.html", context, status=status)


@permission_required(Permission.ADMINISTER_USERS)
def review_export(request: ClientRequest, public_id: UUID) -> HttpResponse:
    # Through the establishment: another establishment's review answers 404.
    found = get_object_or_404(
        AccessReview.objects.select_related("establishment"), public_id=public_id, establishment=request.establishment
    )
    response = HttpResponse(access_review_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="revue-des-acces-{found.created_at:%Y%m%d}.csv"'
    return response
