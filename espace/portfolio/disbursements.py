"""« Pilotage des échéanciers de versement »: a borrower asks to move planned disbursements, a loan
officer accepts or refuses. The rules (DOMAIN.md): funds are drawn during pre-financing, at the
latest 2 months before the first instalment; the total of the plan does not change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.formats import date_format

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.accounts.selectors import users_holding
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.formats import euros
from espace.finance.dates import add_months
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify
from espace.portfolio.enums import AuditAction, ChangeRequestStatus, DisbursementStatus, LineStatus
from espace.portfolio.models import DisbursementChangeRequest, FinancingLine, PlannedDisbursement
from espace.portfolio.page_versions import portfolio_bump_line
from espace.portfolio.perms import may_pilot

LAST_DRAW_BEFORE_FIRST_DUE_MONTHS = 2


@dataclass(frozen=True)
class ProposedDisbursement:
    disbursement_id: int
    planned_on: date
    amount: Decimal


def latest_draw_date(line: FinancingLine) -> date:
    """Funds are drawn at the latest 2 months before the first instalment."""
    return add_months(line.first_due, -LAST_DRAW_BEFORE_FIRST_DUE_MONTHS)


def check_proposal(
    line: FinancingLine, planned: list[PlannedDisbursement], proposal: list[ProposedDisbursement]
) -> None:
    """Raise ApplicationError naming the rule a proposal breaks."""
    if line.status != LineStatus.PREFINANCING:
        raise ApplicationError("Cette ligne n'est plus en préfinancement : son échéancier de versement est clos.")
    by_id = {item.pk: item for item in planned}
    if sorted(p.disbursement_id for p in proposal) != sorted(by_id):
        raise ApplicationError("Seuls les versements prévus (non encore versés) peuvent être modifiés.")
    before = sum((item.amount for item in planned), Decimal(0))
    after = sum((item.amount for item in proposal), Decimal(0))
    if before != after:
        raise ApplicationError(
            f"Le total des versements prévus doit rester de {euros(before)} (vous proposez {euros(after)}).",
            field="amounts",
        )
    today = clock.today()
    latest = latest_draw_date(line)
    for item in proposal:
        if item.amount <= 0:
            raise ApplicationError("Chaque versement doit être d'un montant positif.", field="amounts")
        if item.planned_on <= today:
            raise ApplicationError("Un versement ne peut être prévu que dans le futur.", field="dates")
        if item.planned_on < line.contract.signed_on:
            raise ApplicationError("Un versement ne peut précéder la signature du contrat.", field="dates")
        if item.planned_on > latest:
            raise ApplicationError(
                (
                    "Les fonds se versent pendant le préfinancement, au plus tard 2 mois avant la première "
                    "échéance : pas après le {day}."
                ).format(day=date_format(latest, "j F Y")),
                field="dates",
            )


@transaction.atomic
def disbursement_change_request(
    *,
    line: FinancingLine,
    requested_by: User,
    proposal: list[ProposedDisbursement],
    reason: str = "",
) -> DisbursementChangeRequest:
    """Record the request; the plan changes only when a loan officer accepts it."""
    line = FinancingLine.objects.select_for_update().select_related("contract__borrower").get(pk=line.pk)
    if not may_pilot(requested_by, line):
        raise ApplicationError("Vous n'avez pas l'habilitation « Pilotage des échéanciers de versement ».")
    planned = list(line.disbursements.filter(status=DisbursementStatus.PLANNED).order_by("planned_on", "pk"))
    check_proposal(line, planned, proposal)
    if [(p.planned_on, p.amount) for p in sorted(proposal, key=lambda p: p.disbursement_id)] == [
        (item.planned_on, item.amount) for item in sorted(planned, key=lambda item: item.pk)
    ]:
        raise ApplicationError("Vous n'avez rien modifié.")
    try:
        with transaction.atomic():
            change = DisbursementChangeRequest.objects.create(
                line=line,
                requested_by=requested_by,
                proposal=[
                    {"id": p.disbursement_id, "planned_on": p.planned_on.isoformat(), "amount": str(p.amount)}
                    for p in proposal
                ],
                previous=[
                    {"id": i.pk, "planned_on": i.planned_on.isoformat(), "amount": str(i.amount)} for i in planned
                ],
                reason=reason.strip()[:2000],
            )
    except IntegrityError as error:
        raise ApplicationError("Une demande est déjà en attente pour cette ligne.") from error
    portfolio_bump_line(line)  # the loan page shows the pending request
    audit_record(
        action=AuditAction.DISBURSEMENT_CHANGE_REQUESTED,
        actor=requested_by,
        target=line,
        establishment=line.contract.borrower,
        details={"line": line.number, "proposal": change.proposal},
    )
    context = _context(change)
    email_enqueue(
        template="disbursement_change_requested",
        to=[requested_by.email],
        context={**context, "first_name": requested_by.first_name},
    )
    office = line.contract.borrower.regional_office
    if office is not None and office.email:
        email_enqueue(template="disbursement_change_to_office", to=[office.email], context=context)
    return change


@transaction.atomic
def disbursement_change_decide(
    *, change: DisbursementChangeRequest, staff: User, accept: bool, note: str
) -> DisbursementChangeRequest:
    """A loan officer's decision, with a note; an accepted request is applied to the plan."""
    change = (
        DisbursementChangeRequest.objects.select_for_update()
        .select_related("line__contract__borrower", "requested_by")
        .get(pk=change.pk)
    )
    if change.status != ChangeRequestStatus.PENDING:
        raise ApplicationError("Cette demande a déjà été traitée.")
    if not note.strip() and not accept:
        raise ApplicationError("Indiquez la raison du refus.", field="note")
    line = FinancingLine.objects.select_for_update().select_related("contract").get(pk=change.line_id)
    if accept:
        planned = list(line.disbursements.select_for_update().filter(status=DisbursementStatus.PLANNED))
        proposal = [
            ProposedDisbursement(int(item["id"]), date.fromisoformat(item["planned_on"]), Decimal(item["amount"]))
            for item in change.proposal
        ]
        check_proposal(line, planned, proposal)  # the plan may have moved since the request
        by_id = {item.pk: item for item in planned}
        for item in proposal:
            disbursement = by_id[item.disbursement_id]
            disbursement.planned_on, disbursement.amount = item.planned_on, item.amount
        PlannedDisbursement.objects.bulk_update(list(by_id.values()), ["planned_on", "amount"])
    change.status = ChangeRequestStatus.ACCEPTED if accept else ChangeRequestStatus.REFUSED
    change.decided_by = staff
    change.decided_at = clock.now()
    change.decision_note = note.strip()[:2000]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    portfolio_bump_line(line)
    audit_record(
        action=AuditAction.DISBURSEMENT_CHANGE_ACCEPTED if accept else AuditAction.DISBURSEMENT_CHANGE_REFUSED,
        actor=staff,
        target=line,
        establishment=line.contract.borrower,
        details={"line": line.number, "note": change.decision_note},
    )
    notify(
        users=[change.requested_by, *users_holding(line.contract.borrower, Permission.MANAGE_DISBURSEMENTS)],
        kind=NotificationKind.DISBURSEMENT_DECIDED,
        key=f"disbursement-change:{change.pk}",
        message=Message(
            template="disbursement_change_decided",
            context={**_context(change), "accepted": accept, "note": change.decision_note},
            summary=(
                f"Modification de l'échéancier de versement de la ligne {line.number} "
                f"{'acceptée' if accept else 'refusée'}"
            ),
            link_path=reverse("portfolio:line", kwargs={"public_id": line.public_id}),
        ),
    )
    return change


def _context(change: DisbursementChangeRequest) -> dict[str, object]:
    line = change.line
    return {
        "line_number": line.number,
        "contract_number": line.contract.number,
        "establishment_name": line.contract.borrower.legal_name,
        "client_number": line.contract.borrower.client_number,
        "proposal": [
            {
                "planned_on": date_format(date.fromisoformat(item["planned_on"]), "j F Y"),
                "amount": euros(Decimal(item["amount"])),
            }
            for item in change.proposal
        ],
        "reason": change.reason,
        "line_path": reverse("portfolio:line", kwargs={"public_id": line.public_id}),
    }
