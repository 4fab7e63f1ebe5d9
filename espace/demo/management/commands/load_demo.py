from typing import Any

from django.core.management.base import BaseCommand

from espace.demo.data import DEMO_PASSWORD, DEMO_RECOVERY_CODES, demo_load, demo_load_after_portfolio
from espace.demo.portfolio import PORTFOLIO_DEMO_DIR
from espace.portfolio.services import portfolio_import


class Command(BaseCommand):
    help = "Charge (ou remet à jour) les données de démonstration. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_load()
        run = portfolio_import(directory=PORTFOLIO_DEMO_DIR)
        demo_load_after_portfolio()
        counts = run.counts.get("contracts", {})
        self.stdout.write(
            f"Encours de démonstration ({PORTFOLIO_DEMO_DIR.name}) : {run.get_status_display()}, "
            f"{sum(counts.values()) if counts else 0} contrats lus."
        )
        self.stdout.write(f"{summary.establishments} établissements de démonstration.")
        self.stdout.write(f"Comptes (mot de passe {DEMO_PASSWORD}) :")
        for username, establishment, status in summary.users:
            self.stdout.write(f"  {username:<10} {status:<26} {establishment}")
        self.stdout.write("Équipes du prêteur (back-office /back-office/, même mot de passe) :")
        self.stdout.write("  assistance rôle Assistance ; charge rôle Chargé de prêts (direction Île-de-France) ;")
        self.stdout.write("  donnees rôle Gestionnaire de données ; staff superutilisateur (/gestion/ aussi)")
        self.stdout.write(
            "Demandes de prêt : un dossier en instruction et un brouillon pour OPH MONTREUIL HABITAT "
            "(vdupont auteur, pdurand validateur, charge au back-office)."
        )
        self.stdout.write(
            "Suivi du courrier d'activation (page de connexion → « Suivre mon courrier d'activation ») : "
            "lmoreau (courrier parti il y a 11 jours : « Je n'ai pas reçu le courrier » est ouvert), "
            "sgarcia (nouveau courrier demandé, visible au back-office, Courriers → Demandes) ; "
            "le code à 4 chiffres arrive dans la boîte de démonstration."
        )
        self.stdout.write(
            "Double authentification (Administration → Paramètres) : amartin (commune, exigée des validateurs "
            f"et administrateurs) passe l'étape avec un code de secours ({', '.join(DEMO_RECOVERY_CODES)}) ; "
            "cpetit (métropole, exigée de tous) enregistre une application TOTP à la connexion."
        )
        self.stdout.write(
            "Revue des accès : ouverte pour OPH MONTREUIL HABITAT (pdurand, page d'accueil → « Revue des accès » ; "
            "rfontaine, sans connexion depuis 14 mois, est proposé à la désactivation)."
        )
        self.stdout.write(
            "Notifications : « Mon compte » → « Mes notifications » ; vdupont reçoit un résumé quotidien "
            "(manage.py send_notification_digests), les autres un courriel par notification "
            "(documents, échéances à 30 jours) dans la boîte de démonstration."
        )
        self.stdout.write(f"  second facteur de démonstration : codes de secours {', '.join(DEMO_RECOVERY_CODES)}")
        self.stdout.write(
            "Inscription CAS 1 (premier utilisateur, numéros encore libres ; les 0 initiaux sont acceptés) :"
        )
        for number, name in summary.free_numbers:
            self.stdout.write(f"  {number:<8} {name}")
        self.stdout.write("Inscription CAS 2 (un administrateur existe ou est attendu) :")
        for number, name in summary.cas2_numbers:
            self.stdout.write(f"  {number:<8} {name}")
