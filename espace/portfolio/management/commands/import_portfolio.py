from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from espace.core.formats import euros
from espace.portfolio.enums import ImportStatus
from espace.portfolio.services import portfolio_import


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today : date invalide « {text} » (attendu AAAA-MM-JJ)") from None


class Command(BaseCommand):
    help = (
        "Importe le portefeuille de prêts du prêteur depuis un dossier de fichiers CSV "
        "(contracts.csv, lines.csv, guarantees.csv, et schedules.csv, disbursements.csv s'ils existent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--today", type=_iso_date, help="Date de situation (AAAA-MM-JJ) ; par défaut aujourd'hui.")

    def handle(self, *args: Any, directory: Path, today: date | None, **options: Any) -> None:
        run = portfolio_import(directory=directory, today=today)
        for error in run.errors:
            where = f"{error['file']}, ligne {error['line']} : " if error["file"] else ""
            self.stderr.write(f"{where}{error['reason']}")
        if run.status == ImportStatus.FAILED:
            raise CommandError("Import échoué : aucun contrat n'a été importé.", returncode=1)
        counts = run.counts
        contracts = counts["contracts"]
        self.stdout.write(
            f"Contrats : {contracts['created']} créé(s), {contracts['updated']} mis à jour, "
            f"{contracts['unchanged']} inchangé(s), {contracts['refused']} refusé(s)."
        )
        self.stdout.write(
            f"Écrits : {counts['lines']} ligne(s) de prêt, {counts['rows']} échéance(s), "
            f"{counts['guarantees']} garantie(s), {counts['disbursements']} versement(s)."
        )
        self.stdout.write("Rapprochement (encours par emprunteur) :")
        for item in run.reconciliation:
            label = f"{item['client_number']} {item['name']}".strip()
            self.stdout.write(
                f"  {label} : {item['contracts']} contrat(s), {item['lines']} ligne(s), "
                f"{euros(Decimal(item['outstanding']))}"
            )
        if run.errors:
            raise CommandError(
                f"{contracts['refused']} contrat(s) refusé(s), {len(run.errors)} erreur(s).", returncode=1
            )
