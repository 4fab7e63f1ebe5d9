"""Who may do what on a loan request or a dossier. The views read these predicates to show a
button (or answer 404), the services to refuse the act: the two say the same. A refusal is the
French sentence the user reads, None when the act is allowed."""

from __future__ import annotations

from dataclasses import dataclass

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.core.exceptions import ApplicationError
from espace.establishments.models import Establishment
from espace.loan_requests.enums import EDITABLE_STATUSES, OPEN_STATUSES
from espace.loan_requests.models import LoanRequest

NOT_ALLOWED = "Vous n'avez pas l'habilitation « Création de demandes de prêts »."


def can_edit(user: User) -> bool:
    """Entering requests and adding to dossiers: « Création » or « Validation de demandes de prêts »."""
    return user.has_permission(Permission.CREATE_LOAN_REQUESTS) or user.has_permission(
        Permission.VALIDATE_LOAN_REQUESTS
    )


def create_refusal(establishment: Establishment, user: User) -> str | None:
    """Why this user may not start a request for this establishment."""
    if user.establishment_id != establishment.pk or not can_edit(user):
        return NOT_ALLOWED
    return None


def edit_refusal(loan_request: LoanRequest, user: User) -> str | None:
    """Why this user may not change this request: another establishment's, no permission, or sent
    (only the regional office changes a sent request)."""
    if user.establishment_id != loan_request.establishment_id or not can_edit(user):
        return NOT_ALLOWED
    if loan_request.status not in EDITABLE_STATUSES:
        return "Cette demande est transmise : seule votre direction régionale peut la modifier."
    return None


def add_refusal(loan_request: LoanRequest, user: User) -> str | None:
    """Why this user may not add a document or a message to this dossier: another establishment's,
    no permission, or closed."""
    if user.establishment_id != loan_request.establishment_id or not can_edit(user):
        return NOT_ALLOWED
    if loan_request.status not in OPEN_STATUSES:
        return "Ce dossier est clos : il ne reçoit plus de documents ni de messages."
    return None


def send_refusal(loan_request: LoanRequest, user: User) -> str | None:
    """Why this user may not send this request now: the « Envoyer » button and the service say the same."""
    if user.establishment_id != loan_request.establishment_id:
        return "Demande introuvable."
    if not user.has_permission(Permission.VALIDATE_LOAN_REQUESTS):
        return "Seuls les utilisateurs habilités « Validation de demandes de prêts » peuvent envoyer une demande."
    if loan_request.status not in EDITABLE_STATUSES:
        return f"Cette demande a déjà été transmise (dossier {loan_request.dossier_number})."
    if loan_request.establishment.loan_requests_four_eyes and loan_request.created_by_id == user.pk:
        return "Votre établissement demande qu'une demande soit envoyée par un autre validateur que son auteur."
    return None


@dataclass(frozen=True)
class Officer:
    """A loan officer as the back office established it (role « Chargé de prêts » checked there):
    their regional office's dossiers, or every office's when `all_offices`."""

    user: User
    all_offices: bool = False

    def may_see(self, loan_request: LoanRequest) -> bool:
        if loan_request.dossier_number is None:
            return False
        if self.all_offices:
            return True
        office = self.user.regional_office_id
        return office is not None and office == loan_request.regional_office_id


def officer_refusal(loan_request: LoanRequest, officer: Officer) -> str | None:
    """Why this officer may not act on this dossier (the back office answers 404 before)."""
    if not officer.may_see(loan_request):
        return "Ce dossier relève d'une autre direction régionale."
    return None


def refusal_raise(refusal: str | None) -> None:
    """The services' side of a predicate: an ApplicationError with the refusal, when there is one."""
    if refusal is not None:
        raise ApplicationError(refusal)
