from typing import Any

from django.core.management.base import BaseCommand

from espace.members.review import access_reviews_run


class Command(BaseCommand):
    help = (
        "Quotidien : clôt les revues des accès échues (suspend les utilisateurs non confirmés), "
        "envoie les rappels à 7 jours et ouvre les revues dues."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = access_reviews_run()
        self.stdout.write(
            f"{run.opened} revue(s) ouverte(s), {run.reminded} rappel(s), {run.closed} revue(s) close(s), "
            f"{run.suspended} utilisateur(s) suspendu(s)."
        )
