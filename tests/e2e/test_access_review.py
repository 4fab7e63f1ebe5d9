"""« Revue des accès » in Chromium: the home page prompt, the one screen, the CSV for the auditors."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.core import clock
from espace.members.review import access_review_open
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_reviews_accesses_from_the_home_page(page: Page, a11y, tmp_path):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    UserFactory(establishment=establishment, admin=True, username="pdurand", first_name="Pierre", last_name="Durand")
    UserFactory(
        establishment=establishment,
        username="vdupont",
        first_name="Valérie",
        last_name="Dupont",
        permissions=[Permission.VIEW_PORTFOLIO],
        last_login=clock.now() - timedelta(days=3),
    )
    UserFactory(
        establishment=establishment,
        username="rfontaine",
        first_name="Robert",
        last_name="Fontaine",
        permissions=[Permission.VIEW_DOCUMENTS],
        last_login=clock.now() - timedelta(days=420),
    )
    access_review_open(establishment=establishment)

    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("pdurand")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    prompt = page.get_by_role("link", name="Revue des accès à faire avant le", exact=False)
    expect(prompt).to_be_visible()
    a11y.check(page)
    prompt.click()
    expect(page.get_by_role("heading", name="Revue des accès")).to_be_visible()
    robert = page.locator("tr", has_text="rfontaine")
    expect(robert.get_by_text("aucune connexion depuis 12 mois : désactivation proposée")).to_be_visible()
    expect(robert.get_by_label("Désactiver")).to_be_checked()
    expect(page.locator("tr", has_text="vdupont").get_by_label("Conserver")).to_be_checked()
    a11y.check(page)
    screenshot(page, "70-revue-des-acces")
    page.get_by_role("button", name="Valider la revue").click()
    expect(page.get_by_text("Revue des accès terminée : 3 utilisateur(s) revu(s), 1 désactivé(s).")).to_be_visible()
    a11y.check(page)
    screenshot(page, "71-revue-des-acces-terminee")
    assert User.objects.get(username="rfontaine").status == UserStatus.DEACTIVATED
    assert User.objects.get(username="vdupont").status == UserStatus.ACTIVE

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=False).click()
    saved = tmp_path / "revue.csv"
    download_info.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert {row[2]: row[6] for row in rows[2:]} == {
        "pdurand": "conservé",
        "vdupont": "conservé",
        "rfontaine": "désactivé",
    }
    page.goto("/espace/")
    expect(page.get_by_text("Revue des accès à faire")).to_have_count(0)
    a11y.check(page)
