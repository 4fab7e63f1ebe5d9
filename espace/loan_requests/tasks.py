from django_tasks import task

from espace.core.uploads import rescan_stored
from espace.loan_requests.models import DossierFile


@task()
def rescan_dossier_file(*, file_id: int, attempt: int = 1) -> str:
    """clamd was unreachable at upload: scan again later; an infected file is deleted."""
    stored = DossierFile.objects.filter(pk=file_id).first()
    if stored is None:
        return "gone"
    return rescan_stored(
        stored, file_field="file", status_field="scan", retry=rescan_dossier_file, attempt=attempt, file_id=file_id
    )
