"""« Double authentification » (issue 24, point 2), in Chromium with axe at 1280 and 375 px:
an administrator enrols from « Mon compte », requires it of everyone, a colleague is guided to
enrol at login, comes back with a recovery code, and the administrator resets the factor."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission
from espace.establishments.enums import SecondFactorPolicy
from espace.establishments.models import Establishment
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import help_shot, screenshot
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, username: str, a11y=None) -> None:
    page.goto("/connexion/")
    if a11y is not None:
        a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()


def pending_code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    return f"{totp(device.bin_key):06d}"


def shown_codes(page: Page) -> list[str]:
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = [c.strip() for c in page.locator(".ep-recovery-codes code").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}", c) for c in codes)
    return codes


def test_policy_enrolment_recovery_code_and_reset(page: Page, a11y):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    UserFactory(establishment=establishment, admin=True, username="pdurand", first_name="Pierre", last_name="Durand")
    UserFactory(
        establishment=establishment,
        username="vdupont",
        first_name="Valérie",
        last_name="Dupont",
        permissions=[Permission.VIEW_PORTFOLIO],
    )

    # The administrator enrols from « Mon compte », then requires the factor of everyone.
    login(page, "pdurand", a11y)
    page.goto("/mon-compte/")
    a11y.check(page)
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_text("Non activée")).to_be_visible()
    a11y.check(page)
    screenshot(page, "95-double-authentification-compte")
    help_shot(page, "double-authentification-1-activation")
    page.get_by_label("Code de vérification").fill(pending_code("pdurand"))
    page.get_by_role("button", name="Activer la double authentification").click()
    admin_codes = shown_codes(page)
    a11y.check(page)
    help_shot(page, "double-authentification-2-codes")
    page.get_by_role("link", name="J'ai noté mes codes : continuer").click()
    expect(page.get_by_text("Activée", exact=True)).to_be_visible()
    a11y.check(page)
    page.goto("/administration/parametres/")
    page.get_by_label("Obligatoire pour tous les utilisateurs").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Paramètres enregistrés.")).to_be_visible()
    a11y.check(page)
    assert Establishment.objects.get(pk=establishment.pk).second_factor_policy == SecondFactorPolicy.ALL
    page.get_by_role("button", name="Se déconnecter").click()
    a11y.check(page)

    # The colleague is guided to enrol before the session opens.
    login(page, "vdupont")
    expect(page.get_by_role("heading", name="Activez la double authentification")).to_be_visible()
    a11y.check(page)
    screenshot(page, "96-double-authentification-activation")
    page.get_by_label("Code de vérification").fill("000000" if pending_code("vdupont") != "000000" else "111111")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("vérifiez l'heure de votre téléphone")).to_be_visible()
    a11y.check(page)
    TOTPDevice.objects.filter(user__username="vdupont").update(throttling_failure_count=0)
    page.get_by_label("Code de vérification").fill(pending_code("vdupont"))
    page.get_by_role("button", name="Activer").click()
    codes = shown_codes(page)
    page.get_by_role("link", name="J'ai noté mes codes : continuer").click()
    expect(page.get_by_role("heading", name="Bonjour", exact=False)).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # Without the phone: a recovery code, once.
    login(page, "vdupont")
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    a11y.check(page)
    screenshot(page, "97-double-authentification-etape")
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("il vous en reste 9", exact=False)).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The administrator resets the colleague's factor from the « fiche d'identité ».
    login(page, "pdurand")
    page.get_by_label("Code de vérification").fill(admin_codes[0])
    page.get_by_role("button", name="Valider").click()
    page.goto("/administration/utilisateurs/")
    a11y.check(page)
    page.get_by_role("link", name="Dupont", exact=False).first.click()
    expect(page.get_by_text("activée (9 codes de secours)")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Réinitialiser la double authentification").click()
    expect(page.get_by_text("est réinitialisée")).to_be_visible()
    a11y.check(page)
    screenshot(page, "98-double-authentification-reinitialisee")
    assert not TOTPDevice.objects.filter(user__username="vdupont", confirmed=True).exists()
