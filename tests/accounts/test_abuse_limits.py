"""Abuse limits from the first outside review: identifier probing at registration, password
checks inside « Mon compte », and one address locking many accounts."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from espace.accounts.models import LoginGuard
from espace.core.captcha import TEST_TOKEN
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import start
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


def identity(username: str) -> dict[str, str]:
    return {"username": username, "last_name": "Durand", "first_name": "Pierre", "email": "p@example.org"}


def to_identity_step(client: Client, establishment) -> None:
    start(client, establishment.client_number)
    assert client.post("/inscription/etape-2/", {"accept_admin_role": "on", "accept_terms": "on"}).status_code == 302


def test_identifier_checks_are_limited_per_registration(client, settings):
    settings.REGISTRATION_IDENTITY_TRIES = 3
    UserFactory(username="pris")
    to_identity_step(client, EstablishmentFactory())
    for _ in range(3):
        taken = client.post("/inscription/identite/", identity("pris"))
        assert taken.status_code == 400 and "déjà utilisé" in text(taken)
    blocked = client.post("/inscription/identite/", identity("pris"))
    assert blocked.status_code == 429 and "trop d'essais" in text(blocked)
    assert "déjà utilisé" not in text(blocked)  # no answer about the identifier any more
    # A new registration (new CAPTCHA) gets its own tries.
    fresh = Client()
    to_identity_step(fresh, EstablishmentFactory())
    assert fresh.post("/inscription/identite/", identity("pris")).status_code == 400


def test_identifier_checks_are_limited_per_address(settings):
    settings.REGISTRATION_IDENTITY_IP_LIMIT = 4
    UserFactory(username="pris")
    statuses = []
    for _ in range(3):
        browser = Client()
        to_identity_step(browser, EstablishmentFactory())
        statuses += [browser.post("/inscription/identite/", identity("pris")).status_code for _ in range(2)]
    assert statuses == [400, 400, 400, 400, 429, 429]


def test_staff_identifiers_are_never_revealed_at_registration(client, staff_factory):
    staff_factory("Assistance", username="agent.dupont")
    to_identity_step(client, EstablishmentFactory())
    response = client.post("/inscription/identite/", identity("agent.dupont"))
    assert response.status_code == 302  # a free client identifier: staff live in their own namespace


def test_wrong_current_passwords_in_my_account_lock_like_login(client, settings):
    user = UserFactory()
    client.force_login(user)
    for attempt in range(1, 5):
        response = client.post(
            "/mon-compte/mot-de-passe/",
            {"current_password": "mauvais", "new_password1": "Nouveau-Mdp-2026", "new_password2": "Nouveau-Mdp-2026"},
        )
        assert response.status_code == 400 and "actuel est incorrect" in text(response), attempt
    assert LoginGuard.objects.get(identifier=user.username.lower()).failures == 4
    locked = client.post("/mon-compte/adresse-e-mail/", {"new_email": "n@example.org", "password": "mauvais"})
    assert locked.status_code == 302 and locked["Location"] == "/connexion/"
    assert client.get("/espace/").status_code == 302  # this session ended
    again = client.post("/connexion/", {"username": user.username, "password": PASSWORD})
    assert again.status_code == 403 and "bloqué" in text(again)


def test_right_current_password_resets_the_count(client):
    user = UserFactory()
    client.force_login(user)
    client.post("/mon-compte/adresse-e-mail/", {"new_email": "n@example.org", "password": "mauvais"})
    assert LoginGuard.objects.get(identifier=user.username.lower()).failures == 1
    response = client.post("/mon-compte/adresse-e-mail/", {"new_email": "n@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert LoginGuard.objects.get(identifier=user.username.lower()).failures == 0


def test_one_address_must_solve_the_captcha_instead_of_locking_more_accounts(client, settings):
    settings.LOGIN_IP_CAPTCHA_AFTER = 5
    victims = [UserFactory() for _ in range(3)]
    for _ in range(5):
        client.post("/connexion/", {"username": victims[0].username, "password": "x"})
    assert "altcha-widget" in client.get("/connexion/").content.decode()
    assert "altcha-widget" in client.get("/").content.decode()
    # Without the CAPTCHA, the next tries are not even counted: the other accounts stay open.
    for victim in victims[1:]:
        for _ in range(6):
            response = client.post("/connexion/", {"username": victim.username, "password": "x"})
            assert response.status_code == 400 and "vérification anti-robot" in text(response)
        assert not LoginGuard.objects.filter(identifier=victim.username.lower(), failures__gt=0).exists()
    # With it, a real user of that address still logs in.
    ok = client.post("/connexion/", {"username": victims[1].username, "password": PASSWORD, "captcha": TEST_TOKEN})
    assert ok.status_code == 302
    # Another address is not concerned.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert "altcha-widget" not in other.get("/connexion/").content.decode()


def test_staff_entrance_asks_the_captcha_too(client, settings, staff_factory):
    settings.LOGIN_IP_CAPTCHA_AFTER = 2
    staff_factory("Assistance")
    for _ in range(2):
        client.post("/back-office/connexion/", {"username": "agent", "password": "x"})
    response = client.post("/back-office/connexion/", {"username": "agent", "password": "Agent-Pass-2026!"})
    assert response.status_code == 400 and "vérification anti-robot" in text(response)
