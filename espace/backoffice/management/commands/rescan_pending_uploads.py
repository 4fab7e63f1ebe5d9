"""`manage.py rescan_pending_uploads`: scan now every file still « en attente d'analyse ».

The upload flows already queue a rescan every 15 minutes for twelve hours while clamd is away;
this command is for after a longer outage, or to clear the backlog at once when clamd is back.
Clean files open, infected ones are deleted, the others stay closed; exit status 1 while any
file is still pending (clamd still unreachable).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from espace.core.uploads import RESCAN_ATTEMPTS, ScanStatus
from espace.documents.models import Document, ResourceVersion
from espace.documents.tasks import rescan_document, rescan_resource_version
from espace.loan_requests.models import DossierFile
from espace.loan_requests.tasks import rescan_dossier_file
from espace.support.models import ContactRequest
from espace.support.tasks import rescan_contact_attachment


class Command(BaseCommand):
    help = "Analyse maintenant tous les fichiers en attente d'analyse antivirus (après une panne de clamd)."

    def handle(self, *args: Any, **options: Any) -> None:
        # attempt=RESCAN_ATTEMPTS: the last try of the tasks' own schedule, so a file still pending
        # starts no new chain of retries from here (the one already queued goes on).
        last = RESCAN_ATTEMPTS
        outcomes: Counter[str] = Counter()
        pending = ScanStatus.PENDING
        for pk in ContactRequest.objects.filter(attachment_scan=pending).values_list("pk", flat=True):
            outcomes[rescan_contact_attachment.call(contact_id=pk, attempt=last)] += 1
        for pk in DossierFile.objects.filter(scan=pending).values_list("pk", flat=True):
            outcomes[rescan_dossier_file.call(file_id=pk, attempt=last)] += 1
        for pk in Document.objects.filter(scan_status=pending).values_list("pk", flat=True):
            outcomes[rescan_document.call(document_id=pk, attempt=last)] += 1
        for pk in ResourceVersion.objects.filter(scan_status=pending).values_list("pk", flat=True):
            outcomes[rescan_resource_version.call(version_id=pk, attempt=last)] += 1
        self.stdout.write(
            f"{sum(outcomes.values())} fichier(s) analysé(s) : {outcomes[ScanStatus.CLEAN]} sain(s), "
            f"{outcomes[ScanStatus.INFECTED]} infecté(s) (supprimé(s)), "
            f"{outcomes[ScanStatus.PENDING]} toujours en attente."
        )
        if outcomes[ScanStatus.PENDING]:
            raise CommandError("clamd est toujours injoignable : relancez la commande quand il répond.")
