from typing import Any

from django.core.management.base import BaseCommand

from espace.notifications.services import digests_send


class Command(BaseCommand):
    help = "Quotidien : envoie le résumé des notifications aux utilisateurs qui l'ont choisi."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{digests_send()} résumé(s) envoyé(s).")
