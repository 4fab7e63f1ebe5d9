"""« Documents » in Chromium at 1280 and 375 px: a commune downloads the prefilled guarantee
deliberation of a loan it guarantees (DOCX read back, PDF); a borrower filters its library,
downloads a contract and has a notice sent by e-mail through a real SMTP server; a data manager
saves a new template version in the back office and the next download uses it. Axe on every page."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta

import docx
import pytest
from playwright.sync_api import Page, expect

from espace.accounts.enums import Permission
from espace.core import clock
from espace.documents.data_load import deliberation_template_initial_load
from espace.documents.enums import DocumentKind
from espace.documents.models import DeliberationTemplate
from tests.accounts.factories import PASSWORD, UserFactory
from tests.documents.factories import DocumentFactory, pdf_bytes
from tests.e2e.conftest import screenshot, staff_login
from tests.portfolio.factories import portfolio_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

BOTH = [Permission.VIEW_PORTFOLIO.value, Permission.VIEW_DOCUMENTS.value]


def login(page: Page, username: str, a11y) -> None:
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Vos services")).to_be_visible()
    a11y.check(page)


def docx_text(path) -> str:
    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs) + "\n" + document.sections[0].footer.paragraphs[0].text


def download(page: Page, name: str | re.Pattern[str], tmp_path, filename: str):
    with page.expect_download() as info:
        page.get_by_role("link", name=name).first.click()
    path = tmp_path / filename
    info.value.save_as(path)
    return info.value, path


def test_a_commune_downloads_the_prefilled_deliberation_and_staff_publish_a_new_version(new_page, a11y, tmp_path):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    deliberation_template_initial_load(DeliberationTemplate)
    mayor_office = UserFactory(establishment=world.commune, username="mairie", permissions=BOTH)
    page = new_page(1280, accept_downloads=True)
    login(page, mayor_office.username, a11y)
    page.get_by_role("link", name="Encours", exact=True).click()
    a11y.check(page)
    page.get_by_role("link", name="Dette garantie").first.click()
    a11y.check(page)
    page.get_by_role("link", name="L1000001").click()
    expect(page.get_by_role("heading", name="Modèle de délibération de garantie")).to_be_visible()
    a11y.check(page)
    screenshot(page, "70-ligne-garantie-deliberation")

    _download, path = download(page, "Word (DOCX)", tmp_path, "deliberation.docx")
    assert _download.suggested_filename == "deliberation-garantie-L1000001.docx"
    text = docx_text(path)
    assert "1\xa0000\xa0000,00\xa0€" in text  # amount
    assert "50,00\xa0%" in text and "500\xa0000,00\xa0€" in text  # share and guaranteed amount
    assert "40 ans" in text  # duration
    assert "modèle version 1 du" in text
    _download, pdf = download(page, re.compile(r"^PDF — délibération"), tmp_path, "deliberation.pdf")
    pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "COMMUNE DE VILLEBOIS" in pdf_text and "L1000001" in pdf_text

    # A data manager writes version 2 in the back office, with a preview first.
    staff = new_page(1280)
    staff_login(staff, a11y, "donnees", "Gestionnaire de données")
    staff.get_by_role("link", name="Ressources").click()
    a11y.check(staff)
    staff.get_by_role("link", name="Modifier le modèle (nouvelle version)").click()
    a11y.check(staff)
    body = staff.get_by_label("Texte du modèle")
    body.fill(
        body.input_value().replace(
            "## Article 4", "## Article 4 bis\n\nClause ajoutée par le service juridique.\n\n## Article 4"
        )
    )
    staff.get_by_label("Note de version (facultative)").fill("Clause ajoutée")
    staff.get_by_role("button", name="Aperçu").click()
    expect(staff.locator(".ep-preview").get_by_text("Clause ajoutée par le service juridique.")).to_be_visible()
    a11y.check(staff)
    screenshot(staff, "71-back-office-modele-deliberation")
    staff.get_by_role("button", name="Enregistrer la nouvelle version").click()
    expect(
        staff.get_by_text(f"modèle version 2 du {clock.today():%d/%m/%Y} est enregistré", exact=False)
    ).to_be_visible()
    a11y.check(staff)

    page.reload()
    a11y.check(page)
    _download, path = download(page, "Word (DOCX)", tmp_path, "deliberation-v2.docx")
    text = docx_text(path)
    assert "Clause ajoutée par le service juridique." in text and "modèle version 2 du" in text


def test_a_borrower_filters_its_library_downloads_a_contract_and_receives_a_notice_by_email(
    new_page, a11y, smtp_sink, run_tasks, tmp_path
):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    reader = UserFactory(
        establishment=world.oph, username="bailleur", email="bailleur@oph.example.org", permissions=BOTH
    )
    contract_pdf = pdf_bytes("contrat C1000001")
    DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.CONTRACT,
        line=world.plus,
        title="Contrat de prêt C1000001",
        issued_on=date(2020, 3, 1),
        file_name="contrat-C1000001.pdf",
        content=contract_pdf,
    )
    notice_pdf = pdf_bytes("avis 2026")
    DocumentFactory(
        establishment=world.oph,
        line=world.plus,
        title="Avis d'échéance du 1er mars 2026",
        issued_on=date(2026, 2, 1),
        file_name="avis-L1000001-2026.pdf",
        content=notice_pdf,
    )
    DocumentFactory(
        establishment=world.oph, kind=DocumentKind.LETTER, title="Courrier de bienvenue", issued_on=date(2025, 6, 3)
    )
    DocumentFactory(establishment=world.other_oph, title="Document d'un autre bailleur")

    page = new_page(375, accept_downloads=True)
    login(page, reader.username, a11y)
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_text("Document d'un autre bailleur")).to_have_count(0)
    a11y.check(page)
    screenshot(page, "72-documents-bibliotheque")

    page.get_by_label("Type de document").select_option(label="Contrat")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    a11y.check(page)
    _download, path = download(page, "Télécharger", tmp_path, "contrat.pdf")
    assert _download.suggested_filename == "contrat-C1000001.pdf" and path.read_bytes() == contract_pdf

    page.get_by_label("Type de document").select_option(label="Avis d'échéance")
    page.get_by_label("Année").select_option("2026")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Recevoir par e-mail").click()
    expect(page.get_by_text("vous est envoyé en pièce jointe à bailleur@oph.example.org")).to_be_visible()
    expect(page.get_by_label("Type de document")).to_have_value("instalment_notice")  # back to the same filters
    a11y.check(page)
    screenshot(page, "73-documents-envoi-par-email")
    run_tasks()
    [message] = [m for m in smtp_sink.messages if "bailleur@oph.example.org" in m.get("To", "")]
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_filename() == "avis-L1000001-2026.pdf"
    assert attachment.get_payload(decode=True) == notice_pdf

    # The loan page lists the line's documents too.
    page.goto(f"/encours/prets/{world.plus.public_id}/")
    expect(page.get_by_role("heading", name="Documents de la ligne")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Contrat de prêt C1000001")).to_be_visible()
    a11y.check(page)
    screenshot(page, "74-ligne-documents")
    page.goto("/ressources/")
    a11y.check(page)
