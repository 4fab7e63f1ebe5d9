from django_tasks import task

from espace.core.uploads import rescan_stored
from espace.support.models import ContactRequest


@task()
def rescan_contact_attachment(*, contact_id: int, attempt: int = 1) -> str:
    """clamd was unreachable at upload: scan again later; an infected file is deleted."""
    return rescan_stored(
        ContactRequest.objects.get(pk=contact_id),
        file_field="attachment",
        status_field="attachment_scan",
        retry=rescan_contact_attachment,
        attempt=attempt,
        contact_id=contact_id,
    )
