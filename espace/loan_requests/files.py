"""The dossier's files: every upload checked (type by content, size, clamd: SECURITY.md; only clean
files are ever served) and stored under a random name — the documents of the required list during
entry, the complements of a dossier under instruction, the messages with their attachment between
the establishment and its regional office."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.emails import email_enqueue
from espace.core.exceptions import ApplicationError
from espace.core.tasks import task_enqueue
from espace.core.uploads import CheckedUpload, InfectedFileError, ScanStatus, stored_file_discard, upload_check
from espace.loan_requests.enums import AuditAction, EventKind, FileKind, RequestStatus
from espace.loan_requests.models import DocumentRequest, DossierFile, DossierMessage, LoanRequest, RequiredDocument
from espace.loan_requests.notices import establishment_notify, notice_context
from espace.loan_requests.perms import Officer, add_refusal, edit_refusal, officer_refusal, refusal_raise
from espace.loan_requests.steps import required_documents
from espace.loan_requests.timeline import event_record, request_touch


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
    refusal_raise(edit_refusal(loan_request, user))
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
    refusal_raise(edit_refusal(loan_request, user))
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
    request_touch(loan_request, user)
    return stored


@transaction.atomic
def required_file_remove(*, stored: DossierFile, user: User) -> None:
    refusal_raise(edit_refusal(stored.request, user))
    if stored.kind != FileKind.REQUIRED:
        raise ApplicationError("Ce document ne peut pas être retiré.")
    stored_file_discard(stored.file)
    stored.delete()
    request_touch(stored.request, user)


def complement_add(
    *,
    loan_request: LoanRequest,
    user: User,
    upload: UploadedFile,
    document_request: DocumentRequest | None = None,
) -> DossierFile:
    """A document added to a dossier under instruction (answering a request for documents or not)."""
    refusal_raise(add_refusal(loan_request, user))
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
    refusal_raise(add_refusal(loan_request, user))
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
    event_record(loan_request, EventKind.DOCUMENT_ADDED, user, note=stored.name)
    if (
        loan_request.status == RequestStatus.DOCUMENTS_REQUESTED
        and not loan_request.document_requests.filter(fulfilled_at__isnull=True).exists()
    ):
        loan_request.status = RequestStatus.UNDER_REVIEW
        loan_request.save(update_fields=["status", "updated_at"])
        event_record(loan_request, EventKind.STATUS_CHANGED, user, status=RequestStatus.UNDER_REVIEW)
    request_touch(loan_request, user)
    office = loan_request.regional_office
    if office is not None and office.email:
        email_enqueue(
            template="dossier_document_to_office",
            to=[office.email],
            context={**notice_context(loan_request), "file": stored.name},
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
        refusal_raise(officer_refusal(loan_request, officer))
    else:
        refusal_raise(add_refusal(loan_request, user))
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
        refusal_raise(officer_refusal(loan_request, officer))
    else:
        refusal_raise(add_refusal(loan_request, user))
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
    event_record(loan_request, EventKind.MESSAGE, user, note=body[:200], from_office=from_office)
    audit_record(
        action=AuditAction.DOSSIER_MESSAGE,
        actor=user,
        target=loan_request,
        establishment=loan_request.establishment,
        details={"from_office": from_office},
    )
    if from_office:
        establishment_notify(loan_request, "dossier_message", {"body": body[:4000]})
    elif loan_request.regional_office is not None and loan_request.regional_office.email:
        email_enqueue(
            template="dossier_message_to_office",
            to=[loan_request.regional_office.email],
            context={**notice_context(loan_request), "body": body[:4000], "author": user.get_full_name()},
        )
    return message
