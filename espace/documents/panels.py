"""The « Documents » sections of the loan page and of the dossier page (registered in
DocumentsConfig.ready(), see espace.core.panels)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from espace.accounts.models import User
from espace.documents.enums import DeliberationFormat
from espace.documents.perms import may_see_library
from espace.documents.selectors import documents_for_dossier, documents_for_line
from espace.loan_requests.models import LoanRequest
from espace.portfolio.enums import GuarantorKind
from espace.portfolio.models import FinancingLine, Guarantee

SHOWN = 20


def line_documents_panel(
    request: HttpRequest, line: FinancingLine, own: bool, guarantees: list[Guarantee]
) -> SafeString | None:
    """The line's documents in the establishment's library, and the prefilled deliberation
    templates: the guarantor's own, or one per guarantor for the borrower. Only with « Documents ».
    `guarantees`: the line's, as the loan page read them (with their guarantors)."""
    user = request.user
    establishment = getattr(request, "establishment", None)
    if not isinstance(user, User) or establishment is None or not may_see_library(user):
        return None
    documents = list(documents_for_line(establishment, line)[: SHOWN + 1])
    templates = [
        guarantee
        for guarantee in guarantees
        if guarantee.kind == GuarantorKind.ESTABLISHMENT and (own or guarantee.guarantor_id == establishment.pk)
    ]
    templates.sort(key=lambda item: (-item.share_percent, item.guarantor.legal_name if item.guarantor else ""))
    context = {
        "line": line,
        "own": own,
        "documents": documents[:SHOWN],
        "more": len(documents) > SHOWN,
        "guarantees": templates,
        "formats": DeliberationFormat.choices,
    }
    return render_to_string("documents/_line_panel.html", context, request=request)


def dossier_documents_panel(request: HttpRequest, loan_request: LoanRequest) -> SafeString | None:
    """The library's documents filed under the dossier's number (offer letters, contracts…)."""
    user = request.user
    establishment = getattr(request, "establishment", None)
    if (
        not isinstance(user, User)
        or establishment is None
        or not loan_request.dossier_number
        or not may_see_library(user)
    ):
        return None
    documents = list(documents_for_dossier(establishment, loan_request.dossier_number)[: SHOWN + 1])
    if not documents:
        return None
    context = {"loan_request": loan_request, "documents": documents[:SHOWN], "more": len(documents) > SHOWN}
    return render_to_string("documents/_dossier_panel.html", context, request=request)
