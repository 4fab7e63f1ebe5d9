"""Who may do what on a loan of the portfolio. The views read these predicates to show a button,
the services to refuse the act: the two say the same."""

from __future__ import annotations

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.portfolio.models import FinancingLine


def may_pilot(user: User, line: FinancingLine) -> bool:
    """« Pilotage des échéanciers de versement » of a line: its borrower's users with that
    permission (a guarantor sees the line, never moves its disbursements)."""
    return user.has_permission(Permission.MANAGE_DISBURSEMENTS) and user.establishment_id == line.borrower_id
