from django_tasks import task

from espace.core import clock
from espace.core.tasks import task_enqueue_object
from espace.core.uploads import RESCAN_ATTEMPTS, RESCAN_DELAY, ScanStatus, scan_status_for
from espace.loan_requests.models import DossierFile


@task()
def rescan_dossier_file(*, file_id: int, attempt: int = 1) -> str:
    """clamd was unreachable at upload: scan again later; an infected file is deleted."""
    stored = DossierFile.objects.filter(pk=file_id).first()
    if stored is None or stored.scan != ScanStatus.PENDING:
        return stored.scan if stored else "gone"
    with stored.file.open("rb") as handle:
        status, _signature = scan_status_for(handle.read())
    if status == ScanStatus.PENDING:
        if attempt < RESCAN_ATTEMPTS:
            task_enqueue_object(
                rescan_dossier_file, run_after=clock.now() + RESCAN_DELAY, file_id=file_id, attempt=attempt + 1
            )
        return status
    if status == ScanStatus.INFECTED:
        stored.file.delete(save=False)
    stored.scan = status
    stored.save(update_fields=["file", "scan", "updated_at"])
    return status
