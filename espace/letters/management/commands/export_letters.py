from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from espace.letters.services import letters_export, letters_purge_pdfs


class Command(BaseCommand):
    help = "Exporte les courriers en attente (un PDF chacun + un manifeste CSV) pour le routeur."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Dossier de sortie.")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        result = letters_export(out_dir=out)
        if result.manifest is None:
            self.stdout.write("Aucun courrier à exporter.")
        else:
            self.stdout.write(
                f"{len(result.letters)} courrier(s) exporté(s) ; manifeste : {result.manifest} ; lot : {result.merged}"
            )
        purged = letters_purge_pdfs()
        if purged:
            self.stdout.write(f"{purged} PDF supprimé(s) après le délai de conservation.")
