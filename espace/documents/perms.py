"""Who may see what of the library. The views and the panels read these predicates to show a link
or a section, the services to refuse the act: the two say the same."""

from __future__ import annotations

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.documents.models import Document
from espace.establishments.models import Establishment
from espace.portfolio.models import Contract, FinancingLine


def may_see_library(user: User) -> bool:
    """The library and the documents' sections of other pages: « Consultation des documents »."""
    return user.has_permission(Permission.VIEW_DOCUMENTS)


def may_open(user: User, document: Document) -> bool:
    """A document is its establishment's: only that establishment's users reach it."""
    return user.establishment_id == document.establishment_id


def line_concerns(line: FinancingLine, establishment: Establishment) -> bool:
    """A line concerns its borrower and its guarantors: their libraries may file its documents."""
    return line.borrower_id == establishment.pk or line.guarantees.filter(guarantor=establishment).exists()


def contract_concerns(contract: Contract, establishment: Establishment) -> bool:
    """A contract concerns its borrower and the guarantors of its lines."""
    return (
        contract.borrower_id == establishment.pk or contract.lines.filter(guarantees__guarantor=establishment).exists()
    )
