"""A loan request's entry by its establishment (saved as you go): the request, its dwellings, lines
and planned guarantees, then « Soumettre » to the validators and « Envoyer », which makes it a
dossier of the regional office. Every act is audited and written in the request's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.uploads import stored_file_discard
from espace.establishments.models import Establishment
from espace.loan_requests.enums import AuditAction, EventKind, RequestKind, RequestStatus
from espace.loan_requests.models import DossierCounter, DwellingGroup, LoanRequest, PlannedGuarantee, RequestLine
from espace.loan_requests.notices import establishment_notify, notice_context, validators_of
from espace.loan_requests.perms import create_refusal, edit_refusal, refusal_raise, send_refusal
from espace.loan_requests.steps import steps_state
from espace.loan_requests.timeline import event_record, request_touch
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify
from espace.portfolio.enums import GuarantorKind

HUNDRED = Decimal(100)


@transaction.atomic
def request_create(*, establishment: Establishment, user: User, kind: str, name: str) -> LoanRequest:
    refusal_raise(create_refusal(establishment, user))
    if kind not in RequestKind.values:
        raise ApplicationError("Choisissez le type de demande.", field="kind")
    loan_request = LoanRequest.objects.create(
        establishment=establishment, kind=kind, name=name.strip()[:150], created_by=user, updated_by=user
    )
    event_record(loan_request, EventKind.CREATED, user)
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
    refusal_raise(edit_refusal(loan_request, user))
    for name, value in data.items():
        setattr(loan_request, name, value)
    loan_request.updated_by = user
    loan_request.save()
    return loan_request


@transaction.atomic
def request_delete(*, loan_request: LoanRequest, user: User) -> None:
    loan_request = LoanRequest.objects.select_for_update().get(pk=loan_request.pk)
    refusal_raise(edit_refusal(loan_request, user))
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
    refusal_raise(edit_refusal(loan_request, user))
    DwellingGroup.objects.create(request=loan_request, category=category, count=count, surface_m2=surface_m2)
    request_touch(loan_request, user)


@transaction.atomic
def dwelling_remove(*, dwelling: DwellingGroup, user: User) -> None:
    refusal_raise(edit_refusal(dwelling.request, user))
    dwelling.delete()
    request_touch(dwelling.request, user)


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
    refusal_raise(edit_refusal(loan_request, user))
    line = line or RequestLine(request=loan_request)
    for name in LINE_FIELDS:
        setattr(line, name, data.get(name))
    line.prefinancing_mode = line.prefinancing_mode or ""
    line.revision = line.revision or "simple"
    line.progression = line.progression or Decimal(0)
    line.save()
    request_touch(loan_request, user)
    return line


@transaction.atomic
def line_remove(*, line: RequestLine, user: User) -> None:
    refusal_raise(edit_refusal(line.request, user))
    line.delete()
    request_touch(line.request, user)


@dataclass(frozen=True)
class GuaranteeInput:
    guarantor: Establishment | None  # None: the CGLLS
    share_percent: Decimal


@transaction.atomic
def guarantees_set(*, line: RequestLine, user: User, items: list[GuaranteeInput]) -> None:
    """Replace the line's planned guarantees (the summary says when they do not make 100 %)."""
    refusal_raise(edit_refusal(line.request, user))
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
    request_touch(line.request, user)


@transaction.atomic
def request_submit(*, loan_request: LoanRequest, user: User) -> LoanRequest:
    """An author without « Validation » asks the validators to send the request."""
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=loan_request.pk)
    )
    refusal_raise(edit_refusal(loan_request, user))
    missing = [state for state in steps_state(loan_request) if not state.complete]
    if missing:
        raise ApplicationError("La demande est incomplète : complétez d'abord les étapes signalées.")
    loan_request.status = RequestStatus.TO_VALIDATE
    loan_request.updated_by = user
    loan_request.save(update_fields=["status", "updated_by", "updated_at"])
    event = event_record(loan_request, EventKind.SUBMITTED, user, status=RequestStatus.TO_VALIDATE)
    audit_record(
        action=AuditAction.LOAN_REQUEST_SUBMITTED,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
    )
    context = {**notice_context(loan_request), "author": user.get_full_name()}
    notify(
        users=[validator for validator in validators_of(loan_request.establishment) if validator.pk != user.pk],
        kind=NotificationKind.VALIDATION_WAITING,
        key=f"{loan_request.public_id}:submitted:{event.pk}",
        message=Message(
            template="loan_request_to_validate",
            context=context,
            summary=f"La demande « {loan_request.name} » de {user.get_full_name()} attend votre validation",
            link_path=str(context["path"]),
        ),
    )
    return loan_request


def _next_dossier_number(year: int) -> str:
    """DP-YYYY-NNNNNN, from a counter row locked for the transaction."""
    DossierCounter.objects.bulk_create([DossierCounter(year=year)], ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"DP-{year}-{counter.last:06d}"


@transaction.atomic
def request_send(*, loan_request: LoanRequest, user: User) -> LoanRequest:
    """« Envoyer »: the request becomes a dossier of the regional office. Two validators pressing
    at the same moment make one dossier: the row is locked, the second one finds it sent."""
    loan_request = (
        LoanRequest.objects.select_for_update(of=("self",))
        .select_related("establishment__regional_office", "created_by")
        .get(pk=loan_request.pk)
    )
    refusal_raise(send_refusal(loan_request, user))
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
    event_record(loan_request, EventKind.SENT, user, status=RequestStatus.SENT)
    audit_record(
        action=AuditAction.LOAN_REQUEST_SENT,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"dossier": loan_request.dossier_number},
    )
    establishment_notify(loan_request, "loan_request_sent", {"sender": user.get_full_name()})
    office = loan_request.regional_office
    if office is not None and office.email:
        email_enqueue(template="dossier_to_office", to=[office.email], context=notice_context(loan_request))
    return loan_request
