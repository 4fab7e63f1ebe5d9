"""A housing loan request from the first step to the loan in the portfolio, in Chromium: an author
drafts it through the 7 steps, a validator sends it (the author cannot: four eyes), a loan
officer asks for a document, the author uploads it (EICAR refused, a PDF accepted after its scan),
the officer issues the offer and records the contract, the loan appears in the portfolio with its
link back to the dossier. E-mails through the real SMTP server; axe on every page."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.core import clock
from espace.loan_requests.models import LoanRequest
from espace.portfolio.models import FinancingLine
from tests.accounts.factories import PASSWORD, UserFactory
from tests.core.test_core import EICAR
from tests.e2e.conftest import screenshot, staff_login
from tests.establishments.factories import EstablishmentFactory
from tests.loan_requests.factories import PDF

pytestmark = [
    pytest.mark.browser,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "required_documents"),
]
AUTHOR = [
    Permission.CREATE_LOAN_REQUESTS,
    Permission.VALIDATE_LOAN_REQUESTS,
    Permission.VIEW_DOSSIERS,
    Permission.VIEW_PORTFOLIO,
]


@pytest.fixture
def required_documents(db):
    """The required documents table, as its migration loads it (transactional tests flush it)."""
    from espace.loan_requests.data_load import required_documents_load
    from espace.loan_requests.models import RequiredDocument

    required_documents_load(RequiredDocument)


def login(page: Page, username: str, a11y) -> None:
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/espace/")
    a11y.check(page)


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer et continuer").click()


def draft_through_the_seven_steps(page: Page, a11y, tmp_path: Path, *, shots: bool) -> LoanRequest:
    page.get_by_role("link", name="Demandes", exact=True).click()
    a11y.check(page)
    page.get_by_role("link", name="Nouvelle demande de prêt").click()
    page.get_by_label("Logement social").check()
    page.get_by_label("Nom de l'opération ou du projet").fill("24 logements rue Haute")
    a11y.check(page)
    page.get_by_role("button", name="Commencer la saisie").click()

    # 1. Operation.
    expect(page.get_by_role("heading", name="Opération", exact=True)).to_be_visible()
    page.get_by_label("Nature de l'opération").select_option(label="Construction neuve")
    page.get_by_label("Adresse de l'opération").fill("3 rue Haute")
    page.get_by_label("Code postal").fill("69002")
    page.get_by_label("Commune", exact=True).fill("Lyon")
    page.get_by_label("Code INSEE de la commune").fill("69382")
    page.get_by_label("Zone").select_option("B1")
    a11y.check(page)
    if shots:
        screenshot(page, "80-demande-etape-1")
    save_and_continue(page)

    # 2. Dwellings.
    expect(page.get_by_role("heading", name="Logements", exact=True)).to_be_visible()
    page.get_by_label("Catégorie de financement").select_option("PLUS")
    page.get_by_label("Nombre de logements").fill("24")
    page.get_by_label("Surface habitable totale (m²)").fill("1 560")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("rowheader", name="PLUS")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Continuer").click()

    # 3. Financing plan (the loans come at step 4: the gap is shown until then).
    expect(page.get_by_role("heading", name="Plan de financement", exact=True)).to_be_visible()
    page.get_by_label("Charge foncière (€)").fill("200 000")
    page.get_by_label("Coût du bâtiment (€)").fill("900 000")
    page.get_by_label("Honoraires et frais (€)").fill("100 000")
    page.get_by_label("Subventions de l'État (€)").fill("100 000")
    page.get_by_label("Fonds propres (€)").fill("100 000")
    a11y.check(page)
    save_and_continue(page)

    # 4. Lines, each with its simulated schedule.
    expect(page.get_by_role("heading", name="Lignes de prêt", exact=True)).to_be_visible()
    page.locator("#id_product").select_option("plus")
    page.locator("#id_amount").fill("1 000 000")
    page.locator("#id_duration_years").fill("40")
    page.get_by_label("Préfinancement (mois)").fill("0")
    page.get_by_label("Intérêts de préfinancement").select_option("paid")
    page.get_by_label("Profil d'amortissement").select_option("echeance_prioritaire")
    page.get_by_label("Périodicité des échéances").select_option("annual")
    page.get_by_role("button", name="Ajouter la ligne").click()
    expect(page.get_by_text("Un préfinancement dure au moins 1 mois")).to_be_visible()  # never 0
    a11y.check(page)
    page.get_by_label("Préfinancement (mois)").fill("12")
    page.get_by_role("button", name="Ajouter la ligne").click()
    expect(page.get_by_text("Ligne 1 — PLUS, 1 000 000,00 € sur 40 ans")).to_be_visible()
    expect(page.get_by_text("première échéance", exact=False).first).to_be_visible()
    a11y.check(page)
    if shots:
        screenshot(page, "81-demande-lignes")
    page.get_by_role("link", name="Continuer").click()

    # 5. Guarantees.
    page.get_by_label("Garant 1 : numéro client ou raison sociale").fill("COMMUNE DE VILLEBOIS")
    page.get_by_label("Garant 1 : quotité (%)").fill("100")
    page.get_by_role("button", name="Enregistrer les garanties").click()
    expect(page.get_by_text("garantie à 100,00 %")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Continuer").click()

    # 6. Comment.
    page.get_by_label("Commentaire pour votre direction régionale (facultatif)").fill("Chantier prévu au printemps.")
    a11y.check(page)
    save_and_continue(page)

    # 7. Documents.
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(PDF)
    inputs = page.locator("input[type=file]")
    for index in range(inputs.count()):
        page.locator("input[type=file]").nth(index).set_input_files(str(pdf))
        page.get_by_role("button", name="Déposer").nth(index).click()
        expect(page.get_by_text("« piece.pdf » est déposé.")).to_be_visible()
    a11y.check(page)
    if shots:
        screenshot(page, "82-demande-documents")
    page.get_by_role("link", name="Voir le récapitulatif", exact=True).click()
    expect(page.get_by_text("Toutes les étapes sont complètes.")).to_be_visible()
    return LoanRequest.objects.get(name="24 logements rue Haute")


def test_the_seven_steps_on_a_phone(new_page, a11y, tmp_path):
    establishment = EstablishmentFactory(with_office=True)
    EstablishmentFactory(commune=True, legal_name="COMMUNE DE VILLEBOIS")
    author = UserFactory(establishment=establishment, permissions=AUTHOR)
    page = new_page(375)
    login(page, author.username, a11y)
    page.get_by_role("button", name="Ouvrir le menu").click()
    draft_through_the_seven_steps(page, a11y, tmp_path, shots=False)
    a11y.check(page)


def officer_login(page: Page, a11y) -> User:
    return staff_login(page, a11y, "charge", "Chargé de prêts")


def test_from_the_draft_to_the_loan_in_the_portfolio(new_page, a11y, tmp_path, smtp_sink, run_tasks):
    establishment = EstablishmentFactory(with_office=True, loan_requests_four_eyes=True)
    EstablishmentFactory(commune=True, legal_name="COMMUNE DE VILLEBOIS")
    author = UserFactory(establishment=establishment, permissions=AUTHOR, email="auteur@oph.example.org")
    validator = UserFactory(establishment=establishment, permissions=AUTHOR, email="valideur@oph.example.org")

    page = new_page(1280, accept_downloads=True)
    login(page, author.username, a11y)
    loan_request = draft_through_the_seven_steps(page, a11y, tmp_path, shots=True)
    # Four eyes: the author, although a validator, has no « Envoyer ».
    expect(page.get_by_text("envoyée par un autre validateur que son auteur")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer", exact=True)).to_have_count(0)
    a11y.check(page)
    screenshot(page, "83-demande-recapitulatif")

    other = new_page(1280)
    login(other, validator.username, a11y)
    other.get_by_role("link", name="Demandes", exact=True).click()
    other.get_by_role("link", name="24 logements rue Haute").click()
    a11y.check(other)
    other.get_by_role("button", name="Envoyer", exact=True).click()
    year = clock.today().year
    expect(
        other.get_by_text(f"Demande transmise à votre direction régionale : dossier DP-{year}-000001")
    ).to_be_visible()
    a11y.check(other)
    run_tasks()
    assert any(f"DP-{year}-000001" in text for text in smtp_sink.texts_to("auteur@oph.example.org"))
    assert smtp_sink.texts_to("valideur@oph.example.org")
    assert smtp_sink.texts_to(establishment.regional_office.email)

    # The loan officer of the region takes the dossier and asks for a document.
    staff = new_page(1280, accept_downloads=True)
    officer = officer_login(staff, a11y)
    officer.regional_office = establishment.regional_office
    officer.save()
    staff.get_by_role("link", name="Dossiers", exact=True).click()
    a11y.check(staff)
    staff.get_by_role("link", name=f"DP-{year}-000001").click()
    staff.get_by_role("button", name="Suivre ce dossier").click()
    expect(staff.get_by_text("Vous suivez ce dossier.")).to_be_visible()
    staff.get_by_role("textbox", name="Documents demandés").fill(
        "Attestation de non-recours contre le permis de construire"
    )
    staff.get_by_label("À fournir avant le").fill((clock.today() + timedelta(days=20)).isoformat())
    a11y.check(staff)
    screenshot(staff, "84-back-office-dossier")
    staff.get_by_role("button", name="Demander", exact=True).click()
    expect(staff.get_by_text("Demande de documents envoyée")).to_be_visible()
    run_tasks()
    assert any("non-recours" in text for text in smtp_sink.texts_to("auteur@oph.example.org"))

    # The author answers: EICAR refused with its message, then the PDF.
    page.goto(f"/demandes/{loan_request.public_id}/")
    expect(page.get_by_text("Attestation de non-recours").first).to_be_visible()
    a11y.check(page)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    infected = tmp_path / "attestation.zip"
    infected.write_bytes(archive.getvalue())
    page.get_by_label("En réponse à").select_option(index=1)
    page.get_by_label("Fichier").set_input_files(str(infected))
    page.get_by_role("button", name="Ajouter au dossier").click()
    expect(page.get_by_text("contient un virus")).to_be_visible()
    a11y.check(page)
    attestation = tmp_path / "attestation.pdf"
    attestation.write_bytes(PDF)
    page.get_by_label("En réponse à").select_option(index=1)
    page.get_by_label("Fichier").set_input_files(str(attestation))
    page.get_by_role("button", name="Ajouter au dossier").click()
    expect(page.get_by_text("« attestation.pdf » est ajouté au dossier.")).to_be_visible()
    expect(page.get_by_role("link", name="attestation.pdf")).to_be_visible()  # scanned clean: downloadable
    a11y.check(page)
    screenshot(page, "85-dossier")

    # The officer issues the offer and records the signed contract.
    staff.reload()
    staff.get_by_role("button", name="Émettre l'offre de prêt").click()
    expect(staff.get_by_text("Offre de prêt émise : elle est dans le dossier")).to_be_visible()
    staff.get_by_label("Numéro de contrat").fill("C2026-0042")
    staff.get_by_label("Signé le").fill(clock.today().isoformat())
    staff.get_by_label("Date de la première échéance").fill(
        (clock.today().replace(day=1) + timedelta(days=500)).replace(day=1).isoformat()
    )
    a11y.check(staff)
    staff.get_by_role("button", name="Enregistrer le contrat").click()
    expect(staff.get_by_text("Contrat enregistré : les prêts sont dans les encours")).to_be_visible()
    a11y.check(staff)
    run_tasks()
    assert any(
        "contrat C2026-0042" in text.lower() or "C2026-0042" in text
        for text in smtp_sink.texts_to("auteur@oph.example.org")
    )

    # The loan is in the portfolio, with the trail back to the dossier.
    line = FinancingLine.objects.get(contract__number="C2026-0042")
    page.reload()
    a11y.check(page)
    page.get_by_role("link", name=f"ligne {line.number}").click()
    expect(page.get_by_role("heading", name=f"Ligne {line.number} — PLUS")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name=f"DP-{year}-000001").click()
    expect(page.get_by_role("heading", name=f"Dossier DP-{year}-000001 : 24 logements rue Haute")).to_be_visible()
