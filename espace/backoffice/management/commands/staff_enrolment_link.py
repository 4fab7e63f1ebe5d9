from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import date_format
from django.utils.timezone import localtime

from espace.accounts.models import User
from espace.backoffice.second_factor import enrolment_link_create
from espace.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Crée un lien d'enrôlement à usage unique (24 h) pour qu'un membre des équipes du prêteur sans second "
        "facteur enregistre son application d'authentification."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("identifier", help="Identifiant du membre des équipes du prêteur.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime d'abord son second facteur (téléphone et codes de secours perdus).",
        )

    def handle(self, *args: Any, identifier: str, reset: bool, **options: Any) -> None:
        user = User.objects.identifier_is(identifier).filter(is_staff=True).first()
        if user is None:
            raise CommandError(f"Aucun membre des équipes du prêteur n'a l'identifiant « {identifier} ».")
        try:
            url, link = enrolment_link_create(user=user, reset=reset)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        expires = date_format(localtime(link.expires_at), "j F Y à H\\hi")
        self.stdout.write(f"Lien d'enrôlement pour {user.username} (usage unique, valable jusqu'au {expires}) :")
        self.stdout.write(url)
