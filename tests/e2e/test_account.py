from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_read_my_permissions_change_password_logout(page: Page, a11y):
    establishment = EstablishmentFactory(legal_name="OPH MONTREUIL HABITAT")
    UserFactory(establishment=establishment, admin=True, first_name="Pierre", last_name="Durand")
    UserFactory(
        establishment=establishment,
        username="vdupont",
        first_name="Valérie",
        permissions=[Permission.VIEW_PORTFOLIO, Permission.VIEW_DOCUMENTS],
    )
    page.goto("/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("vdupont")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Bonjour Valérie")).to_be_visible()
    expect(page.get_by_role("heading", name="Encours et échéances")).to_be_visible()
    expect(page.get_by_role("heading", name="Demandes de prêt")).to_have_count(0)
    a11y.check(page)
    screenshot(page, "20-accueil-utilisateur")

    page.get_by_role("link", name="Mes habilitations").first.click()
    expect(page.get_by_role("heading", name="Mes habilitations")).to_be_visible()
    expect(page.get_by_role("row", name="Consultation des Encours Oui")).to_be_visible()
    expect(page.get_by_role("row", name="Administration Non")).to_be_visible()
    expect(page.get_by_text("Pierre Durand")).to_be_visible()
    a11y.check(page)
    screenshot(page, "21-mes-habilitations")

    page.get_by_role("link", name="Mot de passe", exact=True).click()
    a11y.check(page)
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe *", exact=True).fill("Montreuil-Bleu-93")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Montreuil-Bleu-93")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Votre mot de passe est modifié.")).to_be_visible()
    a11y.check(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Identifiant").fill("vdupont")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    a11y.check(page)  # the login page with its error
    page.get_by_label("Mot de passe").fill("Montreuil-Bleu-93")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Bonjour Valérie")).to_be_visible()
