"""The establishment's security policy (issue 24, point 2, first part): session length and the
networks its users and API tokens may come from, set by its administrator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from espace.core.models import AuditEvent
from espace.establishments.models import Establishment
from espace.members.enums import AuditAction
from tests.accounts.factories import PASSWORD, UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db
SETTINGS = "/administration/parametres/"
BASE = {
    "second_factor_policy": "optional",
    "session_idle_minutes": "30",
    "session_max_hours": "12",
    "web_networks": "",
    "api_networks": "",
}


def text(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode().replace("&#x27;", "'"))


@pytest.fixture
def admin():
    return UserFactory(admin=True, establishment=EstablishmentFactory())


def admin_browser(admin, address: str = "198.51.100.7") -> Client:
    browser = Client(REMOTE_ADDR=address)
    browser.force_login(admin)
    return browser


def test_shorter_sessions_apply_to_every_user_of_the_establishment(admin, clock):
    browser = admin_browser(admin)
    response = browser.post(SETTINGS, {**BASE, "session_idle_minutes": "10", "session_max_hours": "2"}, follow=True)
    assert "Paramètres enregistrés." in text(response)
    colleague = UserFactory(establishment=admin.establishment, permissions=["view_portfolio"])
    elsewhere = UserFactory(establishment=EstablishmentFactory(), permissions=["view_portfolio"])
    browsers = {}
    for user in (colleague, elsewhere):
        browsers[user.pk] = Client()
        assert (
            browsers[user.pk].post("/connexion/", {"username": user.username, "password": PASSWORD}).status_code == 302
        )
    clock.shift(timedelta(minutes=11))
    ended = browsers[colleague.pk].get("/espace/", follow=True)
    assert "Votre session a expiré après 10 minutes d'inactivité." in text(ended)
    assert browsers[elsewhere.pk].get("/espace/").status_code == 200  # another establishment: 30 minutes
    for _ in range(13):
        clock.shift(timedelta(minutes=9))
        browsers[elsewhere.pk].get("/espace/")
    assert browsers[elsewhere.pk].get("/espace/").status_code == 200  # 2 h 00 but not its policy
    event = AuditEvent.objects.get(action=AuditAction.SETTINGS_CHANGED, establishment=admin.establishment)
    assert event.details == {"session_idle_minutes": 10, "session_max_hours": 2}


def test_absolute_lifetime_of_the_policy(admin, clock):
    admin_browser(admin).post(SETTINGS, {**BASE, "session_max_hours": "2"})
    browser = Client()
    browser.post("/connexion/", {"username": admin.username, "password": PASSWORD})
    for _ in range(5):
        clock.shift(timedelta(minutes=25))
        browser.get("/espace/")
    ended = browser.get("/espace/", follow=True)
    assert "Votre session a expiré (durée maximale de 2 heures)." in text(ended)


def test_web_networks_refuse_login_and_pages_from_elsewhere(admin):
    browser = admin_browser(admin, "198.51.100.7")
    refused = browser.post(SETTINGS, {**BASE, "web_networks": "203.0.113.0/24"})
    assert refused.status_code == 400 and "Votre adresse actuelle (198.51.100.7) n'est dans aucun" in text(refused)
    bad = browser.post(SETTINGS, {**BASE, "web_networks": "pas une adresse"})
    assert bad.status_code == 400 and "n'est pas une adresse IP ni un réseau" in text(bad)
    assert browser.post(SETTINGS, {**BASE, "web_networks": "198.51.100.0/24\n203.0.113.5"}).status_code == 302
    establishment = Establishment.objects.get(pk=admin.establishment_id)
    assert establishment.web_networks == ["198.51.100.0/24", "203.0.113.5/32"]
    assert browser.get("/espace/").status_code == 200
    # A colleague at home: the right password, then the policy's answer; a session opened inside ends outside.
    colleague = UserFactory(establishment=admin.establishment, permissions=["view_portfolio"])
    outside = Client(REMOTE_ADDR="192.0.2.50")
    login = outside.post("/connexion/", {"username": colleague.username, "password": PASSWORD})
    assert login.status_code == 403 and "que depuis son réseau" in text(login)
    wrong = outside.post("/connexion/", {"username": colleague.username, "password": "faux"})
    assert "que depuis son réseau" not in text(wrong)  # no oracle before the password
    inside = Client(REMOTE_ADDR="203.0.113.5")
    assert inside.post("/connexion/", {"username": colleague.username, "password": PASSWORD}).status_code == 302
    assert inside.get("/espace/").status_code == 200
    page = inside.get("/espace/", REMOTE_ADDR="192.0.2.50")
    assert page.status_code == 403 and "que depuis son réseau" in text(page)
    assert inside.get("/espace/", REMOTE_ADDR="203.0.113.5").status_code == 302  # logged out
    # Another establishment is not concerned.
    other = UserFactory(establishment=EstablishmentFactory(), permissions=["view_portfolio"])
    assert (
        Client(REMOTE_ADDR="192.0.2.50")
        .post("/connexion/", {"username": other.username, "password": PASSWORD})
        .status_code
        == 302
    )


def test_only_the_administrators_set_the_policy(admin):
    user = UserFactory(establishment=admin.establishment, permissions=["view_portfolio"])
    browser = Client()
    browser.force_login(user)
    assert browser.post(SETTINGS, {**BASE, "session_idle_minutes": "10"}).status_code == 403
    other_admin = UserFactory(admin=True, establishment=EstablishmentFactory())
    admin_browser(other_admin).post(SETTINGS, {**BASE, "session_idle_minutes": "10"})
    assert Establishment.objects.get(pk=admin.establishment_id).session_idle_minutes == 30
    bad = admin_browser(admin).post(SETTINGS, {**BASE, "session_idle_minutes": "600"})
    assert bad.status_code == 400 and "Choisissez une durée de la liste." in text(bad)
