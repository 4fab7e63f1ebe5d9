from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from espace.core.csvimport import ImportFileError
from espace.establishments.services import establishments_import


class Command(BaseCommand):
    help = "Importe (ou met à jour) les établissements clients depuis un fichier CSV UTF-8."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Vérifie le fichier sans rien écrire.")

    def handle(self, *args: Any, file: Path, dry_run: bool, **options: Any) -> None:
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {file} : {error.strerror}") from error
        try:
            report = establishments_import(raw=raw, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(f"Fichier refusé : {error}") from error
        for row_error in report.errors:
            self.stderr.write(f"ligne {row_error.line} : {row_error.reason}")
        prefix = "[simulation] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.created} créé(s), {report.updated} mis à jour, "
            f"{report.unchanged} inchangé(s), {len(report.errors)} ligne(s) en erreur."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} ligne(s) refusée(s).", returncode=1)
