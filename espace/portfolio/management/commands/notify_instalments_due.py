from typing import Any

from django.core.management.base import BaseCommand

from espace.portfolio.reminders import instalments_due_notify


class Command(BaseCommand):
    help = "Quotidien : prévient (s'ils l'ont choisi) les utilisateurs des échéances à 30 jours."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{instalments_due_notify()} notification(s) d'échéance.")
