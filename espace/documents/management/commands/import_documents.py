from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from espace.core.csvimport import ImportFileError
from espace.documents.imports import MANIFEST, documents_import


class Command(BaseCommand):
    help = f"Importe les documents d'un dossier ({MANIFEST} et les fichiers qu'il nomme) dans les bibliothèques des établissements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} n'est pas un dossier.")
        try:
            report = documents_import(directory=directory)
        except ImportFileError as error:
            raise CommandError(f"Manifeste refusé : {error}") from error
        for row_error in report.errors:
            self.stderr.write(f"ligne {row_error.line} : {row_error.reason}")
        pending = f", dont {report.pending_scan} en attente d'analyse antivirus" if report.pending_scan else ""
        self.stdout.write(
            f"{report.imported} document(s) importé(s){pending}, {report.already} déjà importé(s), "
            f"{len(report.errors)} ligne(s) refusée(s)."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} ligne(s) refusée(s).", returncode=1)
