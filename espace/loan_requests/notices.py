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
from espace.loan_requests.models import LoanRequest


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
    """E-mail the author and the validators (each address once)."""
    recipients = {loan_request.created_by.email: loan_request.created_by.first_name}
    for user in validators_of(loan_request.establishment):
        recipients.setdefault(user.email, user.first_name)
    context = {**notice_context(loan_request), **(extra or {})}
    for address, first_name in sorted(recipients.items()):
        if loan_request.created_by.is_active or address != loan_request.created_by.email:
            email_enqueue(template=template, to=[address], context={**context, "first_name": first_name})
