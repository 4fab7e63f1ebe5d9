"""The menu each app declares (espace.core.navigation), as users of each kind see it."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from espace.accounts.enums import Permission
from tests.accounts.factories import UserFactory
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


def menu(client: Client, path: str) -> list[tuple[str, bool]]:
    """The menu's links, in order, with whether each is marked as the current page."""
    page = unescape(client.get(path).content.decode())
    nav = page[page.index('id="ep-menu"') : page.index("</nav>")]
    return [
        (label, "aria-current" in attributes)
        for attributes, label in re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*"([^>]*)>([^<]+)</a>', nav)
    ]


def test_a_client_sees_the_entries_of_their_permissions_and_the_current_one_marked():
    user = UserFactory(permissions=[Permission.VIEW_PORTFOLIO.value])
    client = Client()
    client.force_login(user)
    assert menu(client, "/encours/") == [
        ("Accueil", False),
        ("Encours", True),
        ("Outils", False),
        ("Aide", False),
        ("FAQ", False),
        ("Contact", False),
        ("Mon compte", False),
    ]


def test_an_administrator_has_the_administration_drop_down_from_two_apps():
    client = Client()
    client.force_login(UserFactory(admin=True))
    labels = [label for label, _current in menu(client, "/administration/journal/")]
    assert labels[:8] == [
        "Accueil",
        "Administration",
        "Liste des utilisateurs",
        "Revue des accès",
        "Journal des actions",
        "Paramètres de l'établissement",
        "Jetons d'API",
        "Demandes",
    ]
    assert ("Journal des actions", True) in menu(client, "/administration/journal/")


def test_staff_see_the_back_office_entries_of_their_roles(staff_factory):
    client = Client()
    verified_login(client, staff_factory("Assistance"))
    labels = [label for label, _current in menu(client, "/back-office/")]
    assert labels == ["Établissements", "Courriers", "Demandes", "Mon second facteur"]
    officer = Client()
    verified_login(officer, staff_factory("Chargé de prêts", username="charge"))
    assert "Dossiers" in [label for label, _current in menu(officer, "/back-office/")]


def test_a_visitor_sees_the_public_menu():
    assert menu(Client(), "/prets/") == [
        ("Nos prêts", True),
        ("Outils", False),
        ("FAQ", False),
        ("Contact", False),
        ("Connexion", False),
    ]
