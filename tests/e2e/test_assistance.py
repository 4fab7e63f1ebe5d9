"""The FAQ's « courrier non reçu » case, end to end: contact form, staff with TOTP, new letter."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from espace.support.models import ContactRequest
from tests.accounts.helpers import register_admin
from tests.e2e.conftest import screenshot, staff_login
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CODE = re.compile(r"\b([A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4})\b")


def pdf_codes(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return CODE.findall(text)


def login(page: Page, username: str, password: str) -> None:
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


def test_lost_letter_contact_staff_totp_regenerates_and_new_code_activates(
    page: Page, new_page, run_tasks, tmp_path, a11y
):
    establishment = EstablishmentFactory(client_number="237517", legal_name="SOC COOP HABITATION LOYER MODERE")
    register_admin(Client(), establishment, run_tasks, username="pdurand", email="pdurand@example.org")
    run_tasks()
    lost = tmp_path / "perdu"
    call_command("export_letters", "--out", str(lost))
    old_code = pdf_codes(next(lost.glob("L*.pdf")))[0]

    # The letter never arrived: the user writes to the assistance.
    page.goto("/faq/")
    a11y.check(page)
    page.get_by_role("link", name="/contact/").first.click()
    page.get_by_label("Objet de votre demande").select_option(label="Courrier au représentant légal non reçu ou expiré")
    page.get_by_label("Votre message").fill("Notre directeur n'a jamais reçu le courrier pour pdurand.")
    page.get_by_label("Vos nom et prénom").fill("Pierre Durand")
    page.get_by_label("Votre adresse e-mail").fill("pdurand@example.org")
    page.get_by_label("Numéro client").fill("000237517")
    page.wait_for_function("() => (document.querySelector('input[name=captcha]') || {}).value?.length > 20")
    a11y.check(page)
    screenshot(page, "40-contact")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Votre demande porte la référence")).to_be_visible()
    a11y.check(page)
    reference = ContactRequest.objects.get().reference

    # A staff member logs in with the second factor and finds the request and the establishment.
    staff = new_page(1280, accept_downloads=True)
    staff_login(staff, a11y, "agent", "Assistance", first_name="Agent", last_name="Assistance")
    expect(staff.get_by_role("heading", name="Établissements")).to_be_visible()
    a11y.check(staff)
    staff.get_by_role("link", name="Demandes", exact=True).click()
    expect(staff.get_by_role("link", name=reference)).to_be_visible()
    a11y.check(staff)
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_text("Notre directeur n'a jamais reçu le courrier")).to_be_visible()
    a11y.check(staff)
    staff.get_by_role("link", name="Établissements").click()
    staff.get_by_label("Numéro client ou raison sociale").fill("237517")
    staff.get_by_role("button", name="Rechercher").click()
    staff.get_by_role("link", name="SOC COOP HABITATION LOYER MODERE").click()
    expect(staff.locator("#user-pdurand").get_by_text("en attente d'activation")).to_be_visible()
    a11y.check(staff)
    screenshot(staff, "41-back-office-etablissement")
    staff.locator("#user-pdurand").get_by_role("button", name="Regénérer le courrier").click()
    expect(staff.get_by_text("l'ancien code ne fonctionne plus")).to_be_visible()

    # The print batch exported from the screen holds the new letter.
    staff.get_by_role("link", name="Courriers").click()
    a11y.check(staff)
    with staff.expect_download() as download_info:
        staff.get_by_role("button", name=re.compile("Exporter un lot")).click()
    batch = tmp_path / "lot.zip"
    download_info.value.save_as(batch)
    with zipfile.ZipFile(batch) as archive:
        merged = next(n for n in archive.namelist() if n.startswith("lot-"))
        archive.extract(merged, tmp_path)
    new_codes = pdf_codes(tmp_path / merged)
    assert len(new_codes) == 1 and new_codes[0] != old_code

    # The old code no longer works; the new one activates the account.
    login(page, "pdurand", old_code)
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    a11y.check(page)
    login(page, "pdurand", new_codes[0])
    expect(page.get_by_role("heading", name="Votre première connexion")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Nouveau mot de passe *", exact=True).fill("Nouveau-Depart-7")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Nouveau-Depart-7")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("votre compte est actif")).to_be_visible()
    a11y.check(page)
    assert User.objects.get(username="pdurand").status == UserStatus.ACTIVE
