from django_tasks import task

from espace.core import clock
from espace.core.uploads import RESCAN_ATTEMPTS, RESCAN_DELAY, ScanStatus, scan_status_for
from espace.support.models import ContactRequest


@task()
def rescan_contact_attachment(*, contact_id: int, attempt: int = 1) -> str:
    """clamd was unreachable at upload: scan again later; an infected file is deleted."""
    contact = ContactRequest.objects.get(pk=contact_id)
    if contact.attachment_scan != ScanStatus.PENDING or not contact.attachment:
        return contact.attachment_scan
    with contact.attachment.open("rb") as handle:
        status, _signature = scan_status_for(handle.read())
    if status == ScanStatus.PENDING:
        if attempt < RESCAN_ATTEMPTS:
            rescan_contact_attachment.using(run_after=clock.now() + RESCAN_DELAY).enqueue(
                contact_id=contact_id, attempt=attempt + 1
            )
        return status
    if status == ScanStatus.INFECTED:
        contact.attachment.delete(save=False)
    contact.attachment_scan = status
    contact.save(update_fields=["attachment", "attachment_scan", "updated_at"])
    return status
