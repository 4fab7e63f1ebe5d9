from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from espace.portfolio.tasks import daily_import_start, queued_daily_import


class Command(BaseCommand):
    help = (
        "Planifie l'import quotidien du portefeuille (une chaîne de tâches, une par jour à "
        "PORTFOLIO_IMPORT_HOUR) ; ne fait rien si un import est déjà planifié."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", type=Path, help="Par défaut PORTFOLIO_IMPORT_DIR.")

    def handle(self, *args: Any, directory: Path | None, **options: Any) -> None:
        directory = directory or (Path(settings.PORTFOLIO_IMPORT_DIR) if settings.PORTFOLIO_IMPORT_DIR else None)
        if directory is None:
            raise CommandError("Indiquez le dossier des fichiers, ou définissez PORTFOLIO_IMPORT_DIR.")
        if not directory.is_dir():
            raise CommandError(f"Dossier introuvable : {directory}")
        queued = queued_daily_import()
        if queued is not None:
            self.stdout.write(
                f"Déjà planifié : import de {queued.args_kwargs.get('kwargs', {}).get('directory', '?')} "
                f"le {timezone.localtime(queued.run_after):%d/%m/%Y à %H:%M} ; rien de plus n'est planifié."
            )
            return
        run_after = daily_import_start(directory=str(directory.resolve()))
        assert run_after is not None
        self.stdout.write(
            f"Import quotidien de {directory.resolve()} planifié : premier le {timezone.localtime(run_after):%d/%m/%Y à %H:%M}, "
            "puis chaque jour à la même heure (le worker task_worker doit tourner)."
        )
