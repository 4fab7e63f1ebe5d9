from django_tasks import task

from espace.core import clock
from espace.core.emails import deliver_with_retry, email_send_now
from espace.core.uploads import RESCAN_ATTEMPTS, RESCAN_DELAY, ScanStatus, scan_status_for
from espace.documents.models import Document, ResourceVersion
from espace.documents.services import document_email_prepare, document_email_sent, guaranteed_debt_statement_file


@task()
def send_document_by_email(*, document_id: int, user_id: int, attempt: int = 1) -> bool:
    """« Recevoir par e-mail »: the file is read now and attached; SMTP outages are retried."""
    prepared = document_email_prepare(document_id=document_id, user_id=user_id)
    if prepared is None:
        return False
    sent = deliver_with_retry(
        send_document_by_email,
        lambda: email_send_now(
            template="document_by_email",
            to=[prepared.to],
            context=prepared.context,
            attachments=[prepared.attachment],
        ),
        attempt=attempt,
        document_id=document_id,
        user_id=user_id,
    )
    if sent:
        document_email_sent(document_id=document_id, user_id=user_id)
    return sent


@task()
def file_guaranteed_debt_statement(*, statement_id: int) -> bool:
    """Portfolio made an annual statement: file it in the guarantor's library."""
    return guaranteed_debt_statement_file(statement_id=statement_id) is not None


@task()
def rescan_document(*, document_id: int, attempt: int = 1) -> str:
    """clamd was unreachable at import: scan again later; an infected file is deleted."""
    document = Document.objects.get(pk=document_id)
    if document.scan_status != ScanStatus.PENDING:
        return document.scan_status
    with document.file.open("rb") as handle:
        status, _signature = scan_status_for(handle.read())
    if status == ScanStatus.PENDING:
        if attempt < RESCAN_ATTEMPTS:
            rescan_document.using(run_after=clock.now() + RESCAN_DELAY).enqueue(
                document_id=document_id, attempt=attempt + 1
            )
        return status
    if status == ScanStatus.INFECTED:
        document.file.delete(save=False)
    document.scan_status = status
    document.save(update_fields=["file", "scan_status", "updated_at"])
    return status


@task()
def rescan_resource_version(*, version_id: int, attempt: int = 1) -> str:
    """The same for a file uploaded by staff while clamd was unreachable."""
    version = ResourceVersion.objects.get(pk=version_id)
    if version.scan_status != ScanStatus.PENDING or not version.file:
        return version.scan_status
    with version.file.open("rb") as handle:
        status, _signature = scan_status_for(handle.read())
    if status == ScanStatus.PENDING:
        if attempt < RESCAN_ATTEMPTS:
            rescan_resource_version.using(run_after=clock.now() + RESCAN_DELAY).enqueue(
                version_id=version_id, attempt=attempt + 1
            )
        return status
    if status == ScanStatus.INFECTED:
        version.file.delete(save=False)
    version.scan_status = status
    version.save(update_fields=["file", "scan_status"])
    return status
