from typing import Any

from django.core.management.base import BaseCommand

from espace.registration.services import registrations_expire


class Command(BaseCommand):
    help = "Quotidien : fait expirer les inscriptions d'administrateur non activées sous 30 jours."

    def handle(self, *args: Any, **options: Any) -> None:
        lapsed, deleted = registrations_expire()
        self.stdout.write(f"{lapsed} inscription(s) expirée(s) ; {deleted} inscription(s) abandonnée(s) supprimée(s).")
