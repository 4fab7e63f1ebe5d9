"""The tutorial « S'inscrire en ligne », followed in Chromium from the home page, both cases.

Codes are read from a real SMTP server; the temporary code from the exported letter PDF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import ARTIFACTS, help_shot, screenshot
from tests.establishments.factories import EstablishmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.smtp, pytest.mark.django_db(transaction=True)]


def shoot(page: Page, name: str, a11y) -> None:
    """Each step checked by axe and screenshot, at 1280 px and at 375 px."""
    a11y.check(page)
    screenshot(page, name)


def code_from_mail(smtp_sink, address: str) -> str:
    texts = smtp_sink.texts_to(address)
    assert texts, f"no mail to {address}"
    return re.search(r"^\s+(\d{4})\s*$", texts[-1], re.MULTILINE).group(1)


def pass_step1(page: Page, typed_number: str, a11y) -> None:
    page.goto("/")
    a11y.check(page)
    help_shot(page, "inscription-1-accueil", whole_view=True)
    page.get_by_role("link", name="Inscrivez-vous").click()
    expect(page.get_by_text("Souhaitez-vous bénéficier des services en ligne « Prêts »")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="OUI").click()
    expect(page.get_by_text("Créer un compte — Etape 1/2", exact=False)).to_be_visible()
    page.get_by_label("Numéro client").fill(typed_number)
    # The proof of work is solved by the browser itself (ALTCHA), no test bypass here.
    page.wait_for_function("() => (document.querySelector('input[name=captcha]') || {}).value?.length > 20")
    shoot(page, "01-etape-1", a11y)
    help_shot(page, "inscription-2-numero-client")
    page.get_by_role("button", name="Valider").click()


def test_cas1_first_user_from_home_page_to_first_login(page: Page, smtp_sink, run_tasks, tmp_path: Path, a11y):
    establishment = EstablishmentFactory(
        client_number="237517",
        legal_name="SOCIETE COOPERATIVE HABITATION LOYER MODERE",
        legal_representative_title="Monsieur le Directeur général",
    )
    pass_step1(page, "000237517", a11y)
    expect(page.get_by_text("Vous êtes le premier utilisateur pour l'établissement")).to_be_visible()
    expect(page.get_by_text(establishment.legal_name, exact=False).first).to_be_visible()
    shoot(page, "02-cas1-administrateur", a11y)
    page.get_by_label("J'accepte le rôle d'administrateur").check()
    page.get_by_label("J'accepte les CGU").check()
    help_shot(page, "inscription-3-administrateur")
    page.get_by_role("button", name="Valider").click()

    page.get_by_label("Choisissez votre identifiant").fill("pdurand")
    page.get_by_label("Nom *", exact=True).fill("Durand")
    page.get_by_label("Prénom").fill("Pierre")
    page.get_by_label("Votre adresse e-mail").fill("pdurand@example.org")
    page.get_by_label("N° de téléphone").fill("01020304")
    page.get_by_label("Fonction").fill("Directeur Financier")
    shoot(page, "03-cas1-identite", a11y)
    help_shot(page, "inscription-4-identite")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_label("Code")).to_be_visible()

    run_tasks()
    code = code_from_mail(smtp_sink, "pdurand@example.org")
    page.get_by_label("Code").fill(code)
    shoot(page, "04-cas1-code", a11y)
    help_shot(page, "inscription-5-code")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Votre compte a été créé avec succès.")).to_be_visible()
    expect(page.get_by_text("Votre code temporaire a été envoyé à votre représentant légal.")).to_be_visible()
    shoot(page, "05-cas1-termine", a11y)
    help_shot(page, "inscription-6-termine")
    page.get_by_role("button", name="Terminer").click()
    expect(page.get_by_role("heading", name="Connexion à l'Espace client")).to_be_visible()
    a11y.check(page)

    run_tasks()  # the letter
    out = tmp_path / "courriers"
    call_command("export_letters", "--out", str(out))
    pdf = next(out.glob("L*.pdf"))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "courrier-representant-legal.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Monsieur le Directeur général" in text
    temporary_code = re.search(r"\b([A-Z2-9]{4} [A-Z2-9]{4} [A-Z2-9]{4})\b", text).group(1)

    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("pdurand")
    page.get_by_label("Mot de passe").fill(temporary_code)
    help_shot(page, "premiere-connexion-1-connexion")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Votre première connexion")).to_be_visible()
    page.get_by_label("Nouveau mot de passe *", exact=True).fill("Nouveau-Depart-7")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Nouveau-Depart-7")
    shoot(page, "06-premiere-connexion", a11y)
    help_shot(page, "premiere-connexion-2-mot-de-passe")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("votre compte est actif")).to_be_visible()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    shoot(page, "07-accueil-administrateur", a11y)
    help_shot(page, "premiere-connexion-3-accueil", whole_view=True)
    assert User.objects.get(username="pdurand").status == UserStatus.ACTIVE


def test_cas2_later_user_registers_and_the_administrator_is_told(page: Page, smtp_sink, run_tasks, a11y):
    establishment = EstablishmentFactory(client_number="287576", legal_name="OPH MONTREUIL HABITAT")
    UserFactory(establishment=establishment, admin=True, email="admin@example.org", first_name="Anne")
    pass_step1(page, "287576", a11y)
    expect(
        page.get_by_text("Un e-mail va être envoyé à votre administrateur afin que celui-ci valide votre inscription.")
    ).to_be_visible()
    shoot(page, "08-cas2-conditions", a11y)
    page.get_by_label("J'accepte les Conditions générales d'utilisation").check()
    page.get_by_role("button", name="Valider").click()

    page.get_by_label("Choisissez votre identifiant").fill("vdupont")
    page.get_by_label("Nom *", exact=True).fill("Dupont")
    page.get_by_label("Prénom").fill("Valérie")
    page.get_by_label("Créez un mot de passe").fill("motdepasse")
    page.get_by_label("Confirmez votre mot de passe").fill("motdepasse")
    page.get_by_label("Votre adresse e-mail").fill("vdupont@example.org")
    page.get_by_label("Fonction").fill("Responsable Finance")
    page.get_by_label("Consultation des Encours").check()
    page.get_by_label("Documents").check()
    page.get_by_role("button", name="Valider").click()
    # A password with one kind of character: a clear message next to the field.
    expect(page.get_by_text("3 des 4 catégories de caractères :")).to_be_visible()
    shoot(page, "09-cas2-formulaire-erreur", a11y)
    page.get_by_label("Créez un mot de passe").fill("Val12345")  # the tutorial's example is « Robuste »
    page.get_by_label("Confirmez votre mot de passe").fill("Val12345")
    help_shot(page, "inscription-7-utilisateur")
    page.get_by_role("button", name="Valider").click()

    run_tasks()
    a11y.check(page)
    page.get_by_label("Code").fill(code_from_mail(smtp_sink, "vdupont@example.org"))
    page.get_by_role("button", name="Valider").click()
    expect(
        page.get_by_text("Un courriel a été envoyé à votre administrateur afin que celui-ci valide votre inscription.")
    ).to_be_visible()
    shoot(page, "10-cas2-termine", a11y)
    run_tasks()
    notice = smtp_sink.texts_to("admin@example.org")
    assert len(notice) == 1 and "Valérie Dupont" in notice[0] and "Consultation des Encours" in notice[0]
    confirmation = smtp_sink.texts_to("vdupont@example.org")[-1]
    assert "vdupont" in confirmation
    member = User.objects.get(username="vdupont")
    assert member.status == UserStatus.AWAITING_ADMIN
    assert member.requested_permissions == ["view_portfolio", "view_documents"]


def test_home_page_at_375_and_1280(page: Page, mobile_page: Page, a11y):
    for current, width in [(page, 1280), (mobile_page, 375)]:
        current.goto("/")
        expect(current.get_by_text("Vous n'avez pas de compte ?")).to_be_visible()
        assert current.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scrolling
        a11y.check(current)
        screenshot(current, f"00-accueil-{width}px")
    # On a phone the login form comes first, above the presentation.
    login_top = mobile_page.get_by_role("button", name="Connexion").bounding_box()["y"]
    assert login_top < 740 * 1.5, login_top
