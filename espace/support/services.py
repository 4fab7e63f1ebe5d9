from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.enums import AuditAction as CoreAuditAction
from espace.core.exceptions import ApplicationError
from espace.core.tasks import task_enqueue
from espace.core.uploads import CheckedUpload
from espace.establishments.models import Establishment
from espace.establishments.selectors import establishment_by_client_number
from espace.support.enums import SUBJECT_TEAM, AuditAction, ContactStatus, ContactSubject, Team
from espace.support.models import ContactAnswer, ContactRequest


@transaction.atomic
def contact_request_create(
    *,
    subject: ContactSubject,
    message: str,
    sender_name: str,
    sender_email: str,
    sender_phone: str = "",
    organisation: str = "",
    client_number: str = "",
    user: User | None = None,
    attachment: CheckedUpload | None = None,
    attachment_name: str = "",
) -> ContactRequest:
    """Queue the message for the team the FAQ names, and acknowledge it with a reference number."""
    establishment: Establishment | None = None
    if user is not None and user.establishment is not None:
        establishment = user.establishment
    elif client_number:
        establishment = establishment_by_client_number(client_number, active_only=False)
    team = SUBJECT_TEAM[subject]
    contact = ContactRequest(
        subject=subject,
        team=team,
        regional_office=establishment.regional_office if establishment and team == Team.REGIONAL_OFFICE else None,
        message=message.strip(),
        sender_name=sender_name.strip(),
        sender_email=sender_email.strip(),
        sender_phone=sender_phone.strip(),
        organisation=(establishment.legal_name if establishment else organisation.strip()),
        client_number=(establishment.client_number if establishment else client_number.strip()),
        establishment=establishment,
        user=user,
    )
    if attachment is not None:
        contact.attachment.save("piece-jointe", ContentFile(attachment.content), save=False)
        contact.attachment_name = attachment_name[:255]
        contact.attachment_type = attachment.mime_type
        contact.attachment_scan = attachment.scan_status
    contact.save()
    contact.reference = f"AS-{clock.today():%Y}-{contact.pk:06d}"
    contact.save(update_fields=["reference"])
    audit_record(
        action=AuditAction.CONTACT_REQUEST_CREATED,
        actor=user,
        target=contact,
        establishment=establishment,
        details={"reference": contact.reference, "team": team},
    )
    email_enqueue(
        template="contact_acknowledgment",
        to=[contact.sender_email],
        # Our words only: nothing the sender typed goes back out, so the form cannot carry
        # someone else's text to an address of their choosing.
        context={
            "reference": contact.reference,
            "subject": contact.get_subject_display(),
            "team": contact.get_team_display(),
            "regional_office": contact.regional_office.name if contact.regional_office else "",
        },
    )
    if contact.attachment_scan == "pending":
        task_enqueue("espace.support.tasks.rescan_contact_attachment", contact_id=contact.pk)
    return contact


@transaction.atomic
def contact_request_answer(*, contact: ContactRequest, author: User, body: str) -> ContactAnswer:
    contact = ContactRequest.objects.select_for_update().get(pk=contact.pk)
    if contact.status == ContactStatus.CLOSED:
        raise ApplicationError("Cette demande est close.")
    if not body.strip():
        raise ApplicationError("La réponse est vide.", field="body")
    answer = ContactAnswer.objects.create(request=contact, author=author, body=body.strip())
    contact.status = ContactStatus.ANSWERED
    contact.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.CONTACT_REQUEST_ANSWERED,
        actor=author,
        target=contact,
        establishment=contact.establishment,
        details={"reference": contact.reference},
    )
    email_enqueue(
        template="contact_answer",
        to=[contact.sender_email],
        context={
            "name": contact.sender_name,
            "reference": contact.reference,
            "body": answer.body,
            "original": contact.message,
        },
    )
    return answer


@transaction.atomic
def contact_request_close(*, contact: ContactRequest, closed_by: User) -> None:
    contact = ContactRequest.objects.select_for_update().get(pk=contact.pk)
    if contact.status == ContactStatus.CLOSED:
        return
    contact.status = ContactStatus.CLOSED
    contact.closed_at = clock.now()
    contact.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(
        action=AuditAction.CONTACT_REQUEST_CLOSED,
        actor=closed_by,
        target=contact,
        establishment=contact.establishment,
        details={"reference": contact.reference},
    )


def contact_upload_refused(*, user: User | None, signature: str) -> None:
    """An attachment of the contact form was infected: refused by the form, recorded here."""
    audit_record(
        action=CoreAuditAction.UPLOAD_INFECTED, actor=user, details={"signature": signature, "form": "contact"}
    )
