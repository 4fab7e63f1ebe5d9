from typing import Any

from django.core.management.base import BaseCommand

from espace.demo.data import DEMO_PASSWORD, DEMO_RECOVERY_CODES, demo_load


class Command(BaseCommand):
    help = "Charge (ou remet à jour) les données de démonstration. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_load()
        self.stdout.write(f"{summary.establishments} établissements de démonstration.")
        self.stdout.write(f"Comptes (mot de passe {DEMO_PASSWORD}) :")
        for username, establishment, status in summary.users:
            self.stdout.write(f"  {username:<10} {status:<26} {establishment}")
        self.stdout.write("Équipes du prêteur (back-office /back-office/, même mot de passe) :")
        self.stdout.write("  assistance rôle Assistance ; staff superutilisateur (/gestion/ aussi)")
        self.stdout.write(f"  second facteur de démonstration : codes de secours {', '.join(DEMO_RECOVERY_CODES)}")
        self.stdout.write(
            "Inscription CAS 1 (premier utilisateur, numéros encore libres ; les 0 initiaux sont acceptés) :"
        )
        for number, name in summary.free_numbers:
            self.stdout.write(f"  {number:<8} {name}")
        self.stdout.write("Inscription CAS 2 (un administrateur existe ou est attendu) :")
        for number, name in summary.cas2_numbers:
            self.stdout.write(f"  {number:<8} {name}")
