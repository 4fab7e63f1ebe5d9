"""What changes the requests' pages' cached copies (espace.core.page_cache): the list and the
dossier pages show an establishment's requests, their lines, dwellings, planned guarantees, files,
messages, document requests and events, the regional office they were sent to and the loan
officer who follows them. Each is saved or deleted one at a time (their receivers bump
`REQUESTS`); the one bulk write, a line's planned guarantees, ends by saving its request
(`timeline.request_touch`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from espace.accounts.models import User
from espace.core.page_cache import page_cache_depends
from espace.establishments.models import RegionalOffice
from espace.loan_requests.models import (
    DocumentRequest,
    DossierEvent,
    DossierFile,
    DossierMessage,
    DwellingGroup,
    LoanRequest,
    PlannedGuarantee,
    RequestLine,
)

REQUESTS = "requests"


def _of_request(request_id: Any) -> Iterable[int | None]:
    return LoanRequest.objects.filter(pk=request_id).values_list("establishment_id", flat=True)


def _following(staff: User) -> Iterable[int | None]:
    """The establishments whose dossiers the loan officer follows (their name is shown)."""
    if not staff.is_staff:
        return []
    return (
        LoanRequest.objects.filter(assigned_to=staff).order_by().values_list("establishment_id", flat=True).distinct()
    )


def _sent_to(office: RegionalOffice) -> Iterable[int | None]:
    return (
        LoanRequest.objects.filter(regional_office=office)
        .order_by()
        .values_list("establishment_id", flat=True)
        .distinct()
    )


def loan_requests_page_versions_connect() -> None:
    """Called by the loan requests app's `ready()`."""
    page_cache_depends(LoanRequest, REQUESTS, lambda item: [item.establishment_id])
    for model in (DwellingGroup, RequestLine, DocumentRequest, DossierMessage, DossierFile, DossierEvent):
        page_cache_depends(model, REQUESTS, lambda item: _of_request(item.request_id))
    page_cache_depends(
        PlannedGuarantee,
        REQUESTS,
        lambda item: RequestLine.objects.filter(pk=item.line_id).values_list("request__establishment_id", flat=True),
    )
    page_cache_depends(User, REQUESTS, _following)
    page_cache_depends(RegionalOffice, REQUESTS, _sent_to)
