"""Passkeys (issue 24, point 2), in Chromium with its virtual authenticator (WebAuthn over the
DevTools protocol: a real ceremony, a real key) and axe at 1280 and 375 px: a user with the app
adds a passkey in « Mon compte », logs in with it instead of a code, and removes it."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from espace.accounts.second_factor import recovery_codes_issue
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import help_shot, screenshot
from tests.e2e.test_second_factor import login
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def relying_party(settings, live_server):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")  # a passkey needs a host name, not an IP


def virtual_authenticator(page: Page) -> None:
    """A platform authenticator that says yes (the person touched the sensor)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_add_a_passkey_log_in_with_it_and_remove_it(page: Page, a11y, relying_party):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    user = UserFactory(establishment=establishment, username="vdupont", first_name="Valérie", last_name="Dupont")
    device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=True)
    recovery_codes_issue(user=user)
    virtual_authenticator(page)

    login(page, "vdupont", a11y)
    page.get_by_label("Code de vérification").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Bonjour", exact=False)).to_be_visible()
    page.goto("/mon-compte/double-authentification/")
    expect(page.get_by_text("Aucune clé d'accès enregistrée.")).to_be_visible()
    a11y.check(page)
    page.get_by_role("button", name="Ajouter une clé d'accès").click()
    expect(page.get_by_text("Votre clé d'accès est enregistrée")).to_be_visible()
    expect(page.get_by_text("pas encore utilisée", exact=False)).to_be_visible()
    a11y.check(page)
    screenshot(page, "99-cles-d-acces-compte")
    help_shot(page, "double-authentification-3-cle-d-acces")
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    page.get_by_role("button", name="Se déconnecter").click()
    a11y.check(page)

    # The next login: password, then the passkey instead of the app's code.
    login(page, "vdupont")
    expect(page.get_by_role("heading", name="Avec votre clé d'accès")).to_be_visible()
    a11y.check(page)
    screenshot(page, "100-cles-d-acces-connexion")
    help_shot(page, "double-authentification-4-connexion")
    page.get_by_role("button", name="Utiliser ma clé d'accès").click()
    expect(page.get_by_role("heading", name="Bonjour", exact=False)).to_be_visible()
    a11y.check(page)
    assert WebAuthnCredential.objects.get(user=user).last_used_at is not None

    # Removed by its owner: the app stays.
    page.goto("/mon-compte/double-authentification/")
    expect(page.get_by_text("dernière utilisation le", exact=False)).to_be_visible()
    page.get_by_role("button", name="Supprimer la clé", exact=False).click()
    expect(page.get_by_text("est supprimée", exact=False)).to_be_visible()
    expect(page.get_by_text("Aucune clé d'accès enregistrée.")).to_be_visible()
    a11y.check(page)
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
