"""Loan requests: entry (saved as you go), sending by a validator, the dossier's life with the
regional office (messages, documents, status, offer, contract). Every act is audited and written
in the dossier's timeline; e-mails go through the task worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.accounts.selectors import users_holding
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.pdf import render_pdf
from espace.core.tasks import task_enqueue
from espace.core.uploads import CheckedUpload, InfectedFileError, ScanStatus, stored_file_discard, upload_check
from espace.establishments.models import Establishment
from espace.loan_requests.enums import (
    EDITABLE_STATUSES,
    OFFICER_STATUSES,
    OPEN_STATUSES,
    AuditAction,
    EventKind,
    FileKind,
    RequestKind,
    RequestStatus,
)
from espace.loan_requests.models import (
    DocumentRequest,
    DossierCounter,
    DossierEvent,
    DossierFile,
    DossierMessage,
    DwellingGroup,
    LoanRequest,
    PlannedGuarantee,
    RequestLine,
    RequiredDocument,
)
from espace.loan_requests.steps import required_documents, schedule_parts, steps_state
from espace.portfolio.contracts import NewGuarantee, NewLine, contract_create
from espace.portfolio.enums import GuarantorKind
from espace.products.enums import RateIndex
from espace.products.selectors import livret_a_history

HUNDRED = Decimal(100)


# Who may do what (the views check the same; the services hold the rules).


def can_edit(user: User) -> bool:
    return user.has_permission(Permission.CREATE_LOAN_REQUESTS) or user.has_permission(
        Permission.VALIDATE_LOAN_REQUESTS
    )


def _check_editable(loan_request: LoanRequest, user: User) -> None:
    if user.establishment_id != loan_request.establishment_id or not can_edit(user):
        raise ApplicationError("Vous n'avez pas l'habilitation « Création de demandes de prêts ».")
    if loan_request.status not in EDITABLE_STATUSES:
        raise ApplicationError("Cette demande est transmise : seule votre direction régionale peut la modifier.")


def _event(
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


def _touch(loan_request: LoanRequest, user: User) -> None:
    loan_request.updated_by = user
    loan_request.save(update_fields=["updated_by", "updated_at"])


# Entry.


@transaction.atomic
def request_create(*, establishment: Establishment, user: User, kind: str, name: str) -> LoanRequest:
    if user.establishment_id != establishment.pk or not can_edit(user):
        raise ApplicationError("Vous n'avez pas l'habilitation « Création de demandes de prêts ».")
    if kind not in RequestKind.values:
        raise ApplicationError("Choisissez le type de demande.", field="kind")
    loan_request = LoanRequest.objects.create(
        establishment=establishment, kind=kind, name=name.strip()[:150], created_by=user, updated_by=user
    )
    _event(loan_request, EventKind.CREATED, user)
    audit_record(
        action=AuditAction.LOAN_REQUEST_CREATED,
        actor=user,
        target=loan_request,
        establishment=establishment,
        details={"kind": kind},
    )
    return loan_request


@transaction.atomic
def request_update(*, loan_request: LoanRequest, user: User, data: dict[str, Any]) -> LoanRequest:
    """Save the fields of a step (a form's cleaned data, only model fields)."""
    loan_request = LoanRequest.objects.select_for_update().get(pk=loan_request.pk)
    _check_editable(loan_request, user)
    for name, value in data.items():
        setattr(loan_request, name, value)
    loan_request.updated_by = user
    loan_request.save()
    return loan_request


@transaction.atomic
def request_delete(*, loan_request: LoanRequest, user: User) -> None:
    loan_request = LoanRequest.objects.select_for_update().get(pk=loan_request.pk)
    _check_editable(loan_request, user)
    audit_record(
        action=AuditAction.LOAN_REQUEST_DELETED,
        actor=user,
        establishment=loan_request.establishment,
        details={"name": loan_request.name},
    )
    for stored in loan_request.files.all():
        stored_file_discard(stored.file)
    loan_request.delete()


@transaction.atomic
def dwelling_add(*, loan_request: LoanRequest, user: User, category: str, count: int, surface_m2: Decimal) -> None:
    _check_editable(loan_request, user)
    DwellingGroup.objects.create(request=loan_request, category=category, count=count, surface_m2=surface_m2)
    _touch(loan_request, user)


@transaction.atomic
def dwelling_remove(*, dwelling: DwellingGroup, user: User) -> None:
    _check_editable(dwelling.request, user)
    dwelling.delete()
    _touch(dwelling.request, user)


LINE_FIELDS = [
    "product",
    "amount",
    "duration_years",
    "land_amount",
    "land_duration_years",
    "prefinancing_months",
    "prefinancing_mode",
    "profile",
    "progression",
    "periodicity",
    "revision",
]


@transaction.atomic
def line_save(
    *, loan_request: LoanRequest, user: User, data: dict[str, Any], line: RequestLine | None = None
) -> RequestLine:
    _check_editable(loan_request, user)
    line = line or RequestLine(request=loan_request)
    for name in LINE_FIELDS:
        setattr(line, name, data.get(name))
    line.prefinancing_mode = line.prefinancing_mode or ""
    line.revision = line.revision or "simple"
    line.progression = line.progression or Decimal(0)
    line.save()
    _touch(loan_request, user)
    return line


@transaction.atomic
def line_remove(*, line: RequestLine, user: User) -> None:
    _check_editable(line.request, user)
    line.delete()
    _touch(line.request, user)


@dataclass(frozen=True)
class GuaranteeInput:
    guarantor: Establishment | None  # None: the CGLLS
    share_percent: Decimal


@transaction.atomic
def guarantees_set(*, line: RequestLine, user: User, items: list[GuaranteeInput]) -> None:
    """Replace the line's planned guarantees (the summary says when they do not make 100 %)."""
    _check_editable(line.request, user)
    if sum((item.share_percent for item in items), Decimal(0)) > HUNDRED:
        raise ApplicationError("Les quotités d'une ligne ne peuvent pas dépasser 100 %.", field="share")
    guarantors = [item.guarantor.pk for item in items if item.guarantor is not None]
    if len(guarantors) != len(set(guarantors)) or sum(item.guarantor is None for item in items) > 1:
        raise ApplicationError("Chaque garant n'apparaît qu'une fois par ligne.", field="guarantor")
    line.guarantees.all().delete()
    PlannedGuarantee.objects.bulk_create(
        PlannedGuarantee(
            line=line,
            kind=GuarantorKind.CGLLS if item.guarantor is None else GuarantorKind.ESTABLISHMENT,
            guarantor=item.guarantor,
            share_percent=item.share_percent,
        )
        for item in items
    )
    _touch(line.request, user)


# Files (SECURITY.md: type by content, size, clamd; only clean files are ever served).


def upload_checked(*, loan_request: LoanRequest, user: User, upload: UploadedFile) -> CheckedUpload:
    """Type, size and antivirus (SECURITY.md); ApplicationError with the French reason when refused.
    Called before any transaction: the audit row of an infected file stays when the upload is refused."""
    name = (upload.name or "document")[:255]
    try:
        return upload_check(upload)
    except InfectedFileError as error:
        audit_record(
            action=AuditAction.DOSSIER_FILE_INFECTED,
            actor=user,
            target=loan_request,
            establishment=loan_request.establishment,
            details={"file": name, "signature": error.signature},
        )
        raise ApplicationError(error.messages[0], field="file") from error
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field="file") from error


def _store(
    *,
    loan_request: LoanRequest,
    user: User,
    name: str,
    checked: CheckedUpload,
    kind: str,
    required_document: RequiredDocument | None = None,
    document_request: DocumentRequest | None = None,
    message: DossierMessage | None = None,
    from_office: bool = False,
) -> DossierFile:
    """Store one checked upload under a random name (a rescan is queued when clamd was away)."""
    stored = DossierFile(
        request=loan_request,
        kind=kind,
        required_document=required_document,
        document_request=document_request,
        message=message,
        name=(name or "document")[:255],
        mime_type=checked.mime_type,
        size=len(checked.content),
        scan=checked.scan_status,
        uploaded_by=user,
        from_office=from_office,
    )
    stored.file.save("document", ContentFile(checked.content), save=False)
    stored.save()
    if stored.scan == ScanStatus.PENDING:
        task_enqueue("espace.loan_requests.tasks.rescan_dossier_file", file_id=stored.pk)
    audit_record(
        action=AuditAction.DOSSIER_FILE_ADDED,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"file": stored.name, "kind": kind, "scan": stored.scan},
    )
    return stored


def required_file_add(
    *,
    loan_request: LoanRequest,
    user: User,
    required_document: RequiredDocument,
    upload: UploadedFile,
) -> DossierFile:
    """Step 7: a document of the required list (replaces the one already given)."""
    _check_editable(loan_request, user)
    checked = upload_checked(loan_request=loan_request, user=user, upload=upload)
    with transaction.atomic():
        return _required_file_store(loan_request, user, required_document, upload.name or "", checked)


def _required_file_store(
    loan_request: LoanRequest,
    user: User,
    required_document: RequiredDocument,
    name: str,
    checked: CheckedUpload,
) -> DossierFile:
    loan_request = LoanRequest.objects.select_for_update().get(pk=loan_request.pk)
    _check_editable(loan_request, user)
    if required_document not in required_documents(loan_request):
        raise ApplicationError("Ce document n'est pas demandé pour cette demande.", field="file")
    stored = _store(
        loan_request=loan_request,
        user=user,
        name=name,
        checked=checked,
        kind=FileKind.REQUIRED,
        required_document=required_document,
    )
    for previous in loan_request.files.filter(kind=FileKind.REQUIRED, required_document=required_document).exclude(
        pk=stored.pk
    ):
        stored_file_discard(previous.file)
        previous.delete()
    _touch(loan_request, user)
    return stored


@transaction.atomic
def required_file_remove(*, stored: DossierFile, user: User) -> None:
    _check_editable(stored.request, user)
    if stored.kind != FileKind.REQUIRED:
        raise ApplicationError("Ce document ne peut pas être retiré.")
    stored_file_discard(stored.file)
    stored.delete()
    _touch(stored.request, user)


# Submitting and sending.


def _validators(establishment: Establishment) -> list[User]:
    return list(users_holding(establishment, Permission.VALIDATE_LOAN_REQUESTS))


def _context(loan_request: LoanRequest) -> dict[str, Any]:
    return {
        "name": loan_request.name,
        "dossier_number": loan_request.dossier_number or "",
        "establishment_name": loan_request.establishment.legal_name,
        "client_number": loan_request.establishment.client_number,
        "status": str(loan_request.get_status_display()),
        "path": reverse("loan_requests:detail", kwargs={"public_id": loan_request.public_id}),
    }


def _notify_establishment(loan_request: LoanRequest, template: str, extra: dict[str, Any] | None = None) -> None:
    """E-mail the author and the validators (each address once)."""
    recipients = {loan_request.created_by.email: loan_request.created_by.first_name}
    for user in _validators(loan_request.establishment):
        recipients.setdefault(user.email, user.first_name)
    context = {**_context(loan_request), **(extra or {})}
    for address, first_name in sorted(recipients.items()):
        if loan_request.created_by.is_active or address != loan_request.created_by.email:
            email_enqueue(template=template, to=[address], context={**context, "first_name": first_name})


@transaction.atomic
def request_submit(*, loan_request: LoanRequest, user: User) -> LoanRequest:
    """An author without « Validation » asks the validators to send the request."""
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=loan_request.pk)
    )
    _check_editable(loan_request, user)
    missing = [state for state in steps_state(loan_request) if not state.complete]
    if missing:
        raise ApplicationError("La demande est incomplète : complétez d'abord les étapes signalées.")
    loan_request.status = RequestStatus.TO_VALIDATE
    loan_request.updated_by = user
    loan_request.save(update_fields=["status", "updated_by", "updated_at"])
    _event(loan_request, EventKind.SUBMITTED, user, status=RequestStatus.TO_VALIDATE)
    audit_record(
        action=AuditAction.LOAN_REQUEST_SUBMITTED,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
    )
    context = {**_context(loan_request), "author": user.get_full_name()}
    for validator in _validators(loan_request.establishment):
        if validator.pk != user.pk:
            email_enqueue(
                template="loan_request_to_validate",
                to=[validator.email],
                context={**context, "first_name": validator.first_name},
            )
    return loan_request


def _next_dossier_number(year: int) -> str:
    """DP-YYYY-NNNNNN, from a counter row locked for the transaction."""
    DossierCounter.objects.bulk_create([DossierCounter(year=year)], ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"DP-{year}-{counter.last:06d}"


def send_refusal(loan_request: LoanRequest, user: User) -> str | None:
    """Why this user may not send this request now (None when they may): the « Envoyer » button
    and the service say the same."""
    if not user.has_permission(Permission.VALIDATE_LOAN_REQUESTS):
        return "Seuls les utilisateurs habilités « Validation de demandes de prêts » peuvent envoyer une demande."
    if loan_request.status not in EDITABLE_STATUSES:
        return f"Cette demande a déjà été transmise (dossier {loan_request.dossier_number})."
    if loan_request.establishment.loan_requests_four_eyes and loan_request.created_by_id == user.pk:
        return "Votre établissement demande qu'une demande soit envoyée par un autre validateur que son auteur."
    return None


@transaction.atomic
def request_send(*, loan_request: LoanRequest, user: User) -> LoanRequest:
    """« Envoyer »: the request becomes a dossier of the regional office. Two validators pressing
    at the same moment make one dossier: the row is locked, the second one finds it sent."""
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",))
        .select_related("establishment__regional_office", "created_by")
        .get(pk=loan_request.pk)
    )
    if user.establishment_id != loan_request.establishment_id:
        raise ApplicationError("Demande introuvable.")
    refusal = send_refusal(loan_request, user)
    if refusal:
        raise ApplicationError(refusal)
    if not all(state.complete for state in steps_state(loan_request)):
        raise ApplicationError("La demande est incomplète : complétez d'abord les étapes signalées.")
    now = clock.now()
    loan_request.dossier_number = _next_dossier_number(now.year)
    loan_request.status = RequestStatus.SENT
    loan_request.sent_at = now
    loan_request.sent_by = user
    loan_request.regional_office = loan_request.establishment.regional_office
    loan_request.updated_by = user
    loan_request.save()
    _event(loan_request, EventKind.SENT, user, status=RequestStatus.SENT)
    audit_record(
        action=AuditAction.LOAN_REQUEST_SENT,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"dossier": loan_request.dossier_number},
    )
    _notify_establishment(loan_request, "loan_request_sent", {"sender": user.get_full_name()})
    office = loan_request.regional_office
    if office is not None and office.email:
        email_enqueue(template="dossier_to_office", to=[office.email], context=_context(loan_request))
    return loan_request


# The dossier's life, establishment side.


def _check_open(loan_request: LoanRequest, user: User) -> None:
    if user.establishment_id != loan_request.establishment_id or not can_edit(user):
        raise ApplicationError("Vous n'avez pas l'habilitation « Création de demandes de prêts ».")
    if loan_request.status not in OPEN_STATUSES:
        raise ApplicationError("Ce dossier est clos : il ne reçoit plus de documents ni de messages.")


def complement_add(
    *,
    loan_request: LoanRequest,
    user: User,
    upload: UploadedFile,
    document_request: DocumentRequest | None = None,
) -> DossierFile:
    """A document added to a dossier under instruction (answering a request for documents or not)."""
    _check_open(loan_request, user)
    checked = upload_checked(loan_request=loan_request, user=user, upload=upload)
    with transaction.atomic():
        return _complement_store(loan_request, user, upload.name or "", checked, document_request)


def _complement_store(
    loan_request: LoanRequest,
    user: User,
    name: str,
    checked: CheckedUpload,
    document_request: DocumentRequest | None,
) -> DossierFile:
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=loan_request.pk)
    )
    _check_open(loan_request, user)
    if document_request is not None and document_request.request_id != loan_request.pk:
        raise ApplicationError("Demande de documents introuvable.", field="document_request")
    stored = _store(
        loan_request=loan_request,
        user=user,
        name=name,
        checked=checked,
        kind=FileKind.COMPLEMENT,
        document_request=document_request,
    )
    if document_request is not None and document_request.fulfilled_at is None:
        document_request.fulfilled_at = clock.now()
        document_request.save(update_fields=["fulfilled_at", "updated_at"])
    _event(loan_request, EventKind.DOCUMENT_ADDED, user, note=stored.name)
    if (
        loan_request.status == RequestStatus.DOCUMENTS_REQUESTED
        and not loan_request.document_requests.filter(fulfilled_at__isnull=True).exists()
    ):
        loan_request.status = RequestStatus.UNDER_REVIEW
        loan_request.save(update_fields=["status", "updated_at"])
        _event(loan_request, EventKind.STATUS_CHANGED, user, status=RequestStatus.UNDER_REVIEW)
    _touch(loan_request, user)
    office = loan_request.regional_office
    if office is not None and office.email:
        email_enqueue(
            template="dossier_document_to_office",
            to=[office.email],
            context={**_context(loan_request), "file": stored.name},
        )
    return stored


def message_post(
    *,
    loan_request: LoanRequest,
    user: User,
    body: str,
    upload: UploadedFile | None = None,
    officer: Officer | None = None,
) -> DossierMessage:
    """A message in the dossier, from the establishment or (with `officer`) from its regional
    office, with a file."""
    if officer is not None:
        _check_officer(loan_request, officer)
    else:
        _check_open(loan_request, user)
    checked = upload_checked(loan_request=loan_request, user=user, upload=upload) if upload else None
    with transaction.atomic():
        return _message_store(loan_request, user, body, upload.name if upload else "", checked, officer)


def _message_store(
    loan_request: LoanRequest,
    user: User,
    body: str,
    name: str | None,
    checked: CheckedUpload | None,
    officer: Officer | None,
) -> DossierMessage:
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=loan_request.pk)
    )
    from_office = officer is not None
    if officer is not None:
        _check_officer(loan_request, officer)
    else:
        _check_open(loan_request, user)
    body = body.strip()
    if not body:
        raise ApplicationError("Écrivez votre message.", field="body")
    message = DossierMessage.objects.create(
        request=loan_request, author=user, from_office=from_office, body=body[:4000]
    )
    if checked is not None:
        _store(
            loan_request=loan_request,
            user=user,
            name=name or "",
            checked=checked,
            kind=FileKind.MESSAGE,
            message=message,
            from_office=from_office,
        )
    _event(loan_request, EventKind.MESSAGE, user, note=body[:200], from_office=from_office)
    audit_record(
        action=AuditAction.DOSSIER_MESSAGE,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"from_office": from_office},
    )
    if from_office:
        _notify_establishment(loan_request, "dossier_message", {"body": body[:4000]})
    elif loan_request.regional_office is not None and loan_request.regional_office.email:
        email_enqueue(
            template="dossier_message_to_office",
            to=[loan_request.regional_office.email],
            context={**_context(loan_request), "body": body[:4000], "author": user.get_full_name()},
        )
    return message


# The regional office (back office, role « Chargé de prêts »).


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


def _check_officer(loan_request: LoanRequest, officer: Officer) -> None:
    if not officer.may_see(loan_request):
        raise ApplicationError("Ce dossier relève d'une autre direction régionale.")


def _officer_lock(loan_request: LoanRequest, officer: Officer) -> LoanRequest:
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",))
        .select_related("establishment", "created_by", "regional_office")
        .get(pk=loan_request.pk)
    )
    _check_officer(loan_request, officer)
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
    _event(loan_request, EventKind.ASSIGNED, officer.user, from_office=True, status=loan_request.status)
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_ASSIGNED)
    if "status" in fields:
        _notify_establishment(loan_request, "dossier_status_changed", {"note": ""})
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
    _event(
        loan_request,
        EventKind.DOCUMENTS_REQUESTED,
        officer.user,
        note=reason[:2000],
        status=RequestStatus.DOCUMENTS_REQUESTED,
        from_office=True,
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_DOCUMENTS_REQUESTED, due_on=due_on.isoformat())
    _notify_establishment(
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
    _event(loan_request, EventKind.STATUS_CHANGED, officer.user, note=note[:2000], status=status, from_office=True)
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_STATUS_CHANGED, status=status)
    _notify_establishment(loan_request, "dossier_status_changed", {"note": note[:2000]})
    return loan_request


def offer_context(loan_request: LoanRequest) -> dict[str, Any]:
    """The offer's lines with their schedules under today's Livret A."""
    history = livret_a_history()
    lines = []
    for line in loan_request.lines.select_related("product").prefetch_related("guarantees__guarantor"):
        lines.append({"line": line, "parts": schedule_parts(line, history)})
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
    _event(loan_request, EventKind.OFFER_ISSUED, officer.user, status=RequestStatus.OFFER_ISSUED, from_office=True)
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_OFFER_ISSUED)
    _notify_establishment(loan_request, "dossier_status_changed", {"note": "Votre offre de prêt est disponible."})
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
        parts = [(line.building_amount, line.duration_years)]
        if line.land_amount and line.land_duration_years:
            parts.append((line.land_amount, line.land_duration_years))
        product = line.product
        for principal, years in parts:
            new_lines.append(
                NewLine(
                    product=product,
                    principal=principal,
                    periodicity=line.periodicity,
                    duration_years=years,
                    first_due=first_due,
                    profile=line.profile,
                    progression=line.progression,
                    rate_index=product.index,
                    margin=product.margin_percent / HUNDRED,
                    fixed_rate=(product.fixed_rate_percent / HUNDRED)
                    if product.index == RateIndex.FIXED and product.fixed_rate_percent is not None
                    else None,
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
    _event(
        loan_request,
        EventKind.CONTRACTED,
        officer.user,
        note="Contrat {number} signé le {day}".format(number=contract.number, day=date_format(signed_on, "j F Y")),
        status=RequestStatus.CONTRACTED,
        from_office=True,
    )
    _officer_audit(loan_request, officer.user, AuditAction.DOSSIER_CONTRACTED, contract=contract.number)
    _notify_establishment(
        loan_request,
        "dossier_status_changed",
        {"note": f"Le contrat {contract.number} est enregistré : vos prêts apparaissent dans vos encours."},
    )
    return loan_request
