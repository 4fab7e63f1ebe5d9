from typing import Any

from django.core.management.base import BaseCommand

from espace.members.services import members_remind_pending


class Command(BaseCommand):
    help = "Quotidien : rappelle aux administrateurs les inscriptions en attente depuis 7 jours."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{members_remind_pending()} rappel(s) envoyé(s).")
