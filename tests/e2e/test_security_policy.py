"""« Paramètres de l'établissement » → « Politique de sécurité », in Chromium with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from espace.establishments.models import Establishment
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_sets_the_security_policy_without_locking_themselves_out(page: Page, a11y):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    UserFactory(establishment=establishment, admin=True, username="pdurand")
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("pdurand")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    a11y.check(page)
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name="Paramètres de l'établissement").click()
    expect(page.get_by_role("heading", name="Politique de sécurité")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Déconnexion après une inactivité de").select_option(label="15 minutes")
    page.get_by_label("Réseaux depuis lesquels vos utilisateurs accèdent à l'espace client").fill("203.0.113.0/24")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("n'est dans aucun de ces réseaux : vous perdriez l'accès")).to_be_visible()
    a11y.check(page)
    screenshot(page, "90-politique-de-securite-erreur")
    page.get_by_label("Réseaux depuis lesquels vos utilisateurs accèdent à l'espace client").fill(
        "203.0.113.0/24\n127.0.0.1"
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Paramètres enregistrés.")).to_be_visible()
    a11y.check(page)
    screenshot(page, "91-politique-de-securite")
    saved = Establishment.objects.get(pk=establishment.pk)
    assert saved.session_idle_minutes == 15 and saved.web_networks == ["203.0.113.0/24", "127.0.0.1/32"]
    page.goto("/espace/")
    expect(page.get_by_role("heading", name="Bonjour", exact=False)).to_be_visible()
    a11y.check(page)
