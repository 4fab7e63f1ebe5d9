"""The e-mails a request's acts send (through the task worker): what every template is given, and
the establishment's side (the author and the validators)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.accounts.selectors import users_holding
from espace.core.emails import email_enqueue
from espace.establishments.models import Establishment
from espace.loan_requests.models import DossierEvent, LoanRequest
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify

# The e-mails each user chooses (« Mes notifications »); the others always go.
NOTIFIED: dict[str, tuple[NotificationKind, str]] = {
    "dossier_status_changed": (NotificationKind.DOSSIER_STATUS, "Le dossier « {name} » est désormais : {status}"),
    "dossier_documents_requested": (
        NotificationKind.DOCUMENTS_REQUESTED,
        "Des documents sont demandés sur le dossier « {name} » (avant le {due_on})",
    ),
}


def validators_of(establishment: Establishment) -> list[User]:
    return list(users_holding(establishment, Permission.VALIDATE_LOAN_REQUESTS))


def notice_context(loan_request: LoanRequest) -> dict[str, Any]:
    return {
        "name": loan_request.name,
        "dossier_number": loan_request.dossier_number or "",
        "establishment_name": loan_request.establishment.legal_name,
        "client_number": loan_request.establishment.client_number,
        "status": str(loan_request.get_status_display()),
        "path": reverse("loan_requests:detail", kwargs={"public_id": loan_request.public_id}),
    }


def establishment_notify(loan_request: LoanRequest, template: str, extra: dict[str, Any] | None = None) -> None:
    """E-mail the author and the validators (each address once); the kinds of `NOTIFIED` go as
    notifications, once per dossier event, to those who chose them."""
    if template in NOTIFIED:
        kind, summary = NOTIFIED[template]
        context = {**notice_context(loan_request), **(extra or {})}
        event = DossierEvent.objects.filter(request=loan_request).order_by("-pk").values_list("pk", flat=True).first()
        notify(
            users=[loan_request.created_by, *validators_of(loan_request.establishment)],
            kind=kind,
            key=f"{loan_request.public_id}:{template}:{event}",
            message=Message(
                template=template,
                context=context,
                summary=summary.format(**context),
                link_path=str(context["path"]),
            ),
        )
        return
    recipients = {loan_request.created_by.email: loan_request.created_by.first_name}
    for user in validators_of(loan_request.establishment):
        recipients.setdefault(user.email, user.first_name)
    context = {**notice_context(loan_request), **(extra or {})}
    for address, first_name in sorted(recipients.items()):
        if loan_request.created_by.is_active or address != loan_request.created_by.email:
            email_enqueue(template=template, to=[address], context={**context, "first_name": first_name})
