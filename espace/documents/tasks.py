from django_tasks import task

from espace.core.emails import deliver_with_retry, email_send_now
from espace.core.uploads import ScanStatus, rescan_stored
from espace.documents.models import Document, ResourceVersion
from espace.documents.services import (
    document_announce,
    document_email_prepare,
    document_email_sent,
    guaranteed_debt_statement_file,
)


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
    """clamd was unreachable at import: scan again later; an infected file is deleted, a clean one
    is announced to the readers who chose it."""
    document = Document.objects.select_related("establishment").get(pk=document_id)
    before = document.scan_status
    status = rescan_stored(
        document,
        file_field="file",
        status_field="scan_status",
        retry=rescan_document,
        attempt=attempt,
        document_id=document_id,
    )
    if before == ScanStatus.PENDING and status == ScanStatus.CLEAN:
        document_announce(document)
    return status


@task()
def rescan_resource_version(*, version_id: int, attempt: int = 1) -> str:
    """The same for a file uploaded by staff while clamd was unreachable."""
    return rescan_stored(
        ResourceVersion.objects.get(pk=version_id),
        file_field="file",
        status_field="scan_status",
        touched=(),
        retry=rescan_resource_version,
        attempt=attempt,
        version_id=version_id,
    )
