"""What a request keeps of each act done on it: an event of its timeline (the dossier page
shows them) and who changed it last."""

from __future__ import annotations

from espace.accounts.models import User
from espace.loan_requests.models import DossierEvent, LoanRequest


def event_record(
    loan_request: LoanRequest,
    kind: str,
    actor: User | None,
    *,
    note: str = "",
    status: str = "",
    from_office: bool = False,
) -> DossierEvent:
    return DossierEvent.objects.create(
        request=loan_request, kind=kind, actor=actor, note=note, status=status, from_office=from_office
    )


def request_touch(loan_request: LoanRequest, user: User) -> None:
    loan_request.updated_by = user
    loan_request.save(update_fields=["updated_by", "updated_at"])
