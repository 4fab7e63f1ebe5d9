from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot
from tests.e2e.test_registration_flows import code_from_mail, pass_step1
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.smtp, pytest.mark.django_db(transaction=True)]


def test_member_registers_admin_activates_in_place_and_grants_portfolio(
    page: Page, new_page, smtp_sink, run_tasks, a11y
):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    UserFactory(
        establishment=establishment, admin=True, username="pdurand", email="admin@example.org", first_name="Pierre"
    )

    # The user registers (CAS 2), asking for « Documents » only.
    pass_step1(page, "287576", a11y)
    page.get_by_label("J'accepte les Conditions générales d'utilisation").check()
    a11y.check(page)
    page.get_by_role("button", name="Valider").click()
    page.get_by_label("Choisissez votre identifiant").fill("vdupont")
    page.get_by_label("Nom *", exact=True).fill("Dupont")
    page.get_by_label("Prénom").fill("Valérie")
    page.get_by_label("Créez un mot de passe").fill("Val12345")
    page.get_by_label("Confirmez votre mot de passe").fill("Val12345")
    page.get_by_label("Votre adresse e-mail").fill("vdupont@example.org")
    page.get_by_label("Documents").check()
    a11y.check(page)
    page.get_by_role("button", name="Valider").click()
    run_tasks()
    a11y.check(page)
    page.get_by_label("Code").fill(code_from_mail(smtp_sink, "vdupont@example.org"))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Votre compte a été créé avec succès.")).to_be_visible()
    a11y.check(page)
    run_tasks()
    assert "Valérie Dupont" in smtp_sink.texts_to("admin@example.org")[0]

    # The administrator activates her from the list, in place.
    admin = new_page(1280)
    admin.goto("/connexion/")
    admin.get_by_label("Identifiant").fill("pdurand")
    admin.get_by_label("Mot de passe").fill(PASSWORD)
    admin.get_by_role("button", name="Connexion").click()
    expect(admin.get_by_text("1 inscription en attente de votre validation")).to_be_visible()
    a11y.check(admin)
    admin.get_by_role("button", name="Administration").click()
    admin.get_by_role("link", name="Liste des utilisateurs").click()
    row = admin.locator("tr", has_text="vdupont")
    expect(row.get_by_text("en attente de validation")).to_be_visible()
    a11y.check(admin)
    screenshot(admin, "30-liste-des-utilisateurs")
    navigations = []
    admin.on("framenavigated", lambda frame: navigations.append(frame.url))
    row.get_by_role("button", name="Rendre actif").click()
    updated_row = admin.locator("tr", has_text="vdupont")
    expect(updated_row.get_by_role("button", name="Rendre actif")).to_have_count(0)
    expect(updated_row.locator(".badge", has_text="actif")).to_be_visible()
    assert navigations == []  # updated without a page reload
    assert User.objects.get(username="vdupont").status == UserStatus.ACTIVE

    # Then opens her card and grants « Consultation des Encours ».
    admin.locator("tr", has_text="vdupont").get_by_role("link").first.click()
    expect(admin.get_by_role("heading", name="Fiche d'identité")).to_be_visible()
    admin.get_by_label("Consultation des Encours").check()
    a11y.check(admin)
    screenshot(admin, "31-fiche-identite")
    admin.get_by_role("button", name="Valider").click()
    expect(admin.get_by_text("Les habilitations de Valérie Dupont sont enregistrées.")).to_be_visible()

    run_tasks()
    mails = smtp_sink.texts_to("vdupont@example.org")
    assert any("a activé votre compte" in m for m in mails)
    assert any("modifié les habilitations" in m and "Consultation des Encours" in m for m in mails)

    # She logs in with exactly those permissions.
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("vdupont")
    page.get_by_label("Mot de passe").fill("Val12345")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Encours et échéances")).to_be_visible()
    a11y.check(page)
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    expect(page.get_by_role("heading", name="Administration")).to_have_count(0)
    expect(page.get_by_role("heading", name="Demandes de prêt")).to_have_count(0)
    assert page.goto("/administration/utilisateurs/").status == 403
    a11y.check(page)
    assert sorted(User.objects.get(username="vdupont").permissions) == ["view_documents", "view_portfolio"]
