"""The dossier's instruction by the regional office (back office, role « Chargé de prêts »): take
the dossier, ask for documents, decide its status, issue the offer, record the signed contract
(its lines go into the portfolio). Every act is audited, written in the timeline and e-mailed to
the establishment."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.formats import date_format

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.pdf import render_pdf
from espace.core.uploads import ScanStatus
from espace.loan_requests.enums import OFFICER_STATUSES, OPEN_STATUSES, AuditAction, EventKind, FileKind, RequestStatus
from espace.loan_requests.models import DocumentRequest, DossierFile, LoanRequest
from espace.loan_requests.notices import establishment_notify
from espace.loan_requests.perms import Officer, officer_refusal, refusal_raise
from espace.loan_requests.steps import LineSchedules, schedule_parts
from espace.loan_requests.timeline import event_record
from espace.portfolio.contracts import NewGuarantee, NewLine, contract_create
from espace.products.selectors import livret_a_history
from espace.products.terms import LoanRate


def _officer_lock(loan_request: LoanRequest, officer: Officer) -> LoanRequest:
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",))
        .select_related("establishment", "created_by", "regional_office")
        .get(pk=loan_request.pk)
    )
    refusal_raise(officer_refusal(loan_request, officer))
    return loan_request


def _officer_audit(loan_request: LoanRequest, staff: User, action: str, **details: Any) -> None:
    audit_record(
        action=action,
        actor=staff,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"dossier": loan_request.dossier_number, **details},
    )


@transaction.atomic
def dossier_assign(*, loan_request: LoanRequest, officer: Officer) -> LoanRequest:
    loan_request = _officer_lock(loan_request, officer)
    loan_request.assigned_to = officer.user
    fields = ["assigned_to", "updated_at"]
    if loan_request.status == RequestStatus.SENT:
        loan_request.status = RequestStatus.UNDER_REVIEW
        fields.append("status")
    loan_request.save(update_fields=fields)
    event_record(loan_request, EventKind.ASSIGNED, officer.user, from_office=True, status=loan_request.status)
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_ASSIGNED)
    if "status" in fields:
        establishment_notify(loan_request, "dossier_status_changed", {"note": ""})
    return loan_request


@transaction.atomic
def documents_request(*, loan_request: LoanRequest, officer: Officer, reason: str, due_on: date) -> DocumentRequest:
    loan_request = _officer_lock(loan_request, officer)
    if loan_request.status not in OPEN_STATUSES:
        raise ApplicationError("Ce dossier est clos.")
    if due_on <= clock.today():
        raise ApplicationError("La date limite doit être dans le futur.", field="due_on")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Indiquez les documents demandés.", field="reason")
    asked = DocumentRequest.objects.create(
        request=loan_request, requested_by=officer.user, reason=reason[:2000], due_on=due_on
    )
    loan_request.status = RequestStatus.DOCUMENTS_REQUESTED
    loan_request.save(update_fields=["status", "updated_at"])
    event_record(
        loan_request,
        EventKind.DOCUMENTS_REQUESTED,
        officer.user,
        note=reason[:2000],
        status=RequestStatus.DOCUMENTS_REQUESTED,
        from_office=True,
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_DOCUMENTS_REQUESTED, due_on=due_on.isoformat())
    establishment_notify(
        loan_request, "dossier_documents_requested", {"reason": reason[:2000], "due_on": date_format(due_on, "j F Y")}
    )
    return asked


@transaction.atomic
def status_change(*, loan_request: LoanRequest, officer: Officer, status: str, note: str) -> LoanRequest:
    """En instruction, refusée, sans suite — with a decision note sent to the establishment."""
    loan_request = _officer_lock(loan_request, officer)
    if status not in OFFICER_STATUSES:
        raise ApplicationError("Choisissez un statut de la liste.", field="status")
    if loan_request.status not in OPEN_STATUSES:
        raise ApplicationError("Ce dossier est clos.")
    note = note.strip()
    if status in {RequestStatus.REFUSED, RequestStatus.ABANDONED} and not note:
        raise ApplicationError("Indiquez la raison de cette décision.", field="note")
    loan_request.status = status
    loan_request.save(update_fields=["status", "updated_at"])
    event_record(
        loan_request, EventKind.STATUS_CHANGED, officer.user, note=note[:2000], status=status, from_office=True
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_STATUS_CHANGED, status=status)
    establishment_notify(loan_request, "dossier_status_changed", {"note": note[:2000]})
    return loan_request


def offer_context(loan_request: LoanRequest) -> dict[str, Any]:
    """The offer's lines with their schedules under today's Livret A."""
    history = livret_a_history()
    lines = []
    for line in loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor"):
        lines.append(LineSchedules(line, schedule_parts(line, history)))
    return {"loan_request": loan_request, "lines": lines, "today": clock.today()}


@transaction.atomic
def offer_issue(*, loan_request: LoanRequest, officer: Officer) -> DossierFile:
    """« Offre de prêt »: a PDF from the request's lines and their schedules, in the dossier."""
    loan_request = _officer_lock(loan_request, officer)
    if loan_request.status not in {RequestStatus.UNDER_REVIEW, RequestStatus.SENT, RequestStatus.OFFER_ISSUED}:
        raise ApplicationError("Une offre s'émet pour un dossier en instruction.")
    if not loan_request.lines.exists():
        raise ApplicationError("Le dossier n'a pas de ligne de prêt : complétez-le avant d'émettre une offre.")
    pdf = render_pdf(template="loan_requests/offer_pdf.html", context=offer_context(loan_request))
    stored = DossierFile(
        request=loan_request,
        kind=FileKind.OFFER,
        name=f"offre-{loan_request.dossier_number}.pdf",
        mime_type="application/pdf",
        size=len(pdf),
        scan=ScanStatus.CLEAN,  # made here, from our own template
        uploaded_by=officer.user,
        from_office=True,
    )
    stored.file.save("offre", ContentFile(pdf), save=False)
    stored.save()
    loan_request.status = RequestStatus.OFFER_ISSUED
    loan_request.offer_issued_at = clock.now()
    loan_request.save(update_fields=["status", "offer_issued_at", "updated_at"])
    event_record(
        loan_request, EventKind.OFFER_ISSUED, officer.user, status=RequestStatus.OFFER_ISSUED, from_office=True
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_OFFER_ISSUED)
    establishment_notify(loan_request, "dossier_status_changed", {"note": "Votre offre de prêt est disponible."})
    return stored


@transaction.atomic
def contract_record(
    *,
    loan_request: LoanRequest,
    officer: Officer,
    number: str,
    signed_on: date,
    first_due: date,
) -> LoanRequest:
    """The signed contract: its lines go into the portfolio, linked to the dossier."""
    loan_request = _officer_lock(loan_request, officer)
    if loan_request.status != RequestStatus.OFFER_ISSUED:
        raise ApplicationError("Le contrat s'enregistre après l'émission de l'offre.")
    if signed_on > clock.today():
        raise ApplicationError("La date de signature ne peut pas être dans le futur.", field="signed_on")
    if first_due <= signed_on:
        raise ApplicationError("La première échéance suit la signature.", field="first_due")
    new_lines = []
    for line in loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor"):
        guarantees = [
            NewGuarantee(guarantor=guarantee.guarantor, share_percent=guarantee.share_percent)
            for guarantee in line.guarantees.all()
        ]
        product = line.product
        rate = LoanRate.of_product(product)
        for part in line.parts:
            new_lines.append(
                NewLine(
                    product=product,
                    principal=part.principal,
                    periodicity=line.periodicity,
                    duration_years=part.duration_years,
                    first_due=first_due,
                    profile=line.profile,
                    progression=line.progression,
                    rate_index=rate.index,
                    margin=rate.margin,
                    fixed_rate=rate.fixed_rate,
                    revision=line.revision,
                    prefinancing_months=line.prefinancing_months,
                    prefinancing_mode=line.prefinancing_mode,
                    guarantees=guarantees,
                )
            )
    contract = contract_create(
        borrower=loan_request.establishment,
        number=number,
        signed_on=signed_on,
        dossier_number=loan_request.dossier_number or "",
        lines=new_lines,
        history=livret_a_history(),
    )
    loan_request.contract = contract
    loan_request.status = RequestStatus.CONTRACTED
    loan_request.save(update_fields=["contract", "status", "updated_at"])
    event_record(
        loan_request,
        EventKind.CONTRACTED,
        officer.user,
        note="Contrat {number} signé le {day}".format(number=contract.number, day=date_format(signed_on, "j F Y")),
        status=RequestStatus.CONTRACTED,
        from_office=True,
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_CONTRACTED, contract=contract.number)
    establishment_notify(
        loan_request,
        "dossier_status_changed",
        {"note": f"Le contrat {contract.number} est enregistré : vos prêts apparaissent dans vos encours."},
    )
    return loan_request
