"""« Administration » → « Jetons d'API » in Chromium at 1280 and 375 px (axe on every page): the
administrator creates a token, copies it once, the establishment's software reads its loans with it
over HTTP, then the administrator revokes it. The API documentation page loads with no request
leaving the machine."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect

from espace.api.models import ApiToken
from espace.core import clock
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot
from tests.portfolio.factories import portfolio_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def login(page: Page, username: str, a11y) -> None:
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("button", name="Administration")).to_be_visible()
    a11y.check(page)


def test_administrator_creates_uses_and_revokes_a_token(new_page, a11y, live_server):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    admin = UserFactory(establishment=world.oph, admin=True, username="pdurand", first_name="Pierre")
    page = new_page(1280)
    login(page, admin.username, a11y)
    page.get_by_role("button", name="Administration").click()
    page.get_by_role("link", name="Jetons d'API").click()
    expect(page.get_by_role("heading", name="Jetons d'API")).to_be_visible()
    expect(page.get_by_text("Aucun jeton pour le moment.")).to_be_visible()
    a11y.check(page)

    # A first try without any right: the form says what is missing, next to the field.
    page.get_by_role("link", name="Créer un jeton").click()
    page.get_by_label("Nom du jeton").fill("Logiciel financier — synchronisation nocturne")
    a11y.check(page)
    page.get_by_role("button", name="Créer le jeton").click()
    expect(page.get_by_text("Choisissez au moins un droit.")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Consultation des Encours").check()
    page.get_by_label("Valable jusqu'au (inclus)").fill((clock.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Créer le jeton").click()

    # Shown once, with a copy hint.
    expect(page.get_by_text("Copiez ce jeton maintenant : il ne sera plus jamais affiché.")).to_be_visible()
    clear = page.get_by_label("Votre jeton").input_value()
    assert clear.startswith("ep_")
    a11y.check(page)
    screenshot(page, "40-jeton-cree")

    # The establishment's software, with the token: its loans, and only them.
    answer = requests.get(f"{live_server.url}/api/v1/loans", headers={"Authorization": f"Bearer {clear}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert [loan["number"] for loan in answer.json()["items"]] == ["L1000001", "L1000002", "L1000003"]
    assert answer.headers["ETag"]

    page.get_by_role("link", name="J'ai copié le jeton : revenir à la liste").click()
    row = page.locator("tr", has_text="Logiciel financier")
    expect(row.get_by_text("actif")).to_be_visible()
    expect(row.get_by_text("Consultation des Encours")).to_be_visible()
    assert clear not in page.content()
    a11y.check(page)
    screenshot(page, "41-jetons-api")

    # On a phone, the list is a stack of cards; then « Révoquer » asks before it acts.
    phone = new_page(375)
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/administration/jetons-api/")
    a11y.check(phone)
    phone.get_by_role("link", name="Révoquer le jeton Logiciel financier").click()
    expect(
        phone.get_by_role("heading", name="Révoquer le jeton « Logiciel financier — synchronisation nocturne » ?")
    ).to_be_visible()
    a11y.check(phone)
    phone.get_by_role("button", name="Révoquer définitivement").click()
    expect(phone.get_by_text("est révoqué : il ne permet plus aucun appel.")).to_be_visible()
    a11y.check(phone)
    assert ApiToken.objects.get().revoked_by == admin

    refused = requests.get(f"{live_server.url}/api/v1/loans", headers={"Authorization": f"Bearer {clear}"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "token_revoked"


def test_api_documentation_loads_from_the_app_alone(browser, live_server):
    """Swagger UI from the app's static files: nothing requested elsewhere, no CSP violation."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    host = urlsplit(live_server.url).netloc
    elsewhere: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).netloc == host
            else (elsewhere.append(route.request.url), route.abort())
        ),
    )
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Espace Prêts — API des établissements")).to_be_visible()
    expect(page.get_by_text("/api/v1/loans", exact=True)).to_be_visible()
    screenshot(page, "42-documentation-api")
    context.close()
    assert elsewhere == []
    assert problems == []
