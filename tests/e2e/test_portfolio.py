"""« Consultation des Encours » and « Pilotage des échéanciers de versement » in Chromium: a borrower's
dashboard, loans, loan page and Excel export; a commune's guaranteed debt and its annual statement;
a disbursement change asked by the borrower and accepted in the back office, e-mails through SMTP."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from espace.accounts.models import User
from espace.backoffice.roles import staff_roles_ensure
from espace.core import clock
from espace.portfolio.enums import ChangeRequestStatus
from espace.portfolio.models import DisbursementChangeRequest
from tests.accounts.factories import PASSWORD
from tests.e2e.conftest import screenshot
from tests.portfolio.factories import portfolio_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def login(page: Page, username: str, a11y=None) -> None:
    page.goto("/connexion/")
    if a11y is not None:
        a11y.check(page)
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("link", name="Encours", exact=True)).to_be_visible()
    if a11y is not None:
        a11y.check(page)  # the home page


def chart_drawn(page: Page, name: str) -> None:
    canvas = page.locator(f"canvas[data-chart='{name}']").first
    expect(canvas).to_have_attribute("data-drawn", "true")


def amount(text: str) -> Decimal:
    return Decimal(text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "").replace(",", "."))


def test_borrower_dashboard_loans_loan_page_and_excel(new_page, a11y, tmp_path):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    page = new_page(1280, accept_downloads=True)
    login(page, world.reader.username, a11y)
    page.get_by_role("link", name="Encours", exact=True).click()
    expect(page.get_by_role("heading", name="Encours et échéances")).to_be_visible()
    chart_drawn(page, "outstanding")
    total = world.plus.outstanding + world.plai.outstanding + world.pls.outstanding
    expect(page.locator(".ep-figures dd").first).to_have_text(
        f"{total:,.2f} €".replace(",", "\u202f").replace(".", ",")
    )
    a11y.check(page)
    screenshot(page, "60-encours-tableau-de-bord")

    page.get_by_role("link", name="Mes prêts").click()
    expect(page.get_by_role("row")).to_have_count(4)  # header + 3 lines
    page.get_by_label("Produit").select_option(label="PLAI")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("L1000002")
    a11y.check(page)
    page.get_by_label("Produit").select_option(label="Tous")
    page.get_by_label("Trier par").select_option(label="Capital restant dû")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    screenshot(page, "61-encours-prets")
    shown = [
        (row.locator("th a").inner_text(), amount(row.locator("td").nth(2).inner_text()))
        for row in page.locator("tbody tr").all()
    ]
    with page.expect_download() as download:
        page.get_by_role("link", name="Prêts (Excel)").click()
    path = tmp_path / "prets.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    exported = {
        row[1]: Decimal(str(row[4])).quantize(Decimal("0.01")) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert exported == dict(shown)  # the file says what the screen says

    page.get_by_role("link", name="L1000001").click()
    expect(page.get_by_role("heading", name="Échéancier")).to_be_visible()
    chart_drawn(page, "outstanding")
    next_row = page.locator("tr[aria-current='true']")
    expect(next_row).to_have_count(1)
    expect(next_row).to_contain_text("prochaine échéance")
    expect(page.locator("td[data-label='État']", has_text="payée")).to_have_count(
        world.plus.rows.filter(paid=True).count()
    )
    expect(page.get_by_text("COMMUNE DE VILLEBOIS")).to_be_visible()
    a11y.check(page)
    screenshot(page, "62-encours-ligne")
    with page.expect_download() as download:
        page.get_by_role("link", name="Échéancier (PDF)").click()
    pdf = tmp_path / "echeancier.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "L1000001" in text and "PLUS" in text

    page.get_by_role("link", name="Encours et échéances").click()  # the breadcrumb
    page.get_by_role("link", name="Projections").click()
    chart_drawn(page, "scenarios")
    expect(page.get_by_role("columnheader", name="Livret A stable")).to_be_attached()
    a11y.check(page)


def test_commune_reads_its_guaranteed_debt_and_downloads_the_statement(new_page, a11y, run_tasks, tmp_path):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    page = new_page(1280, accept_downloads=True)
    login(page, world.mayor_office.username, a11y)
    page.get_by_role("link", name="Encours", exact=True).click()
    expect(page.get_by_text("Aucun prêt n'est enregistré")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Dette garantie").first.click()
    expect(page.get_by_role("heading", name="OPH DU RHÔNE")).to_be_visible()
    expect(page.get_by_role("heading", name="SA HLM VOISINE")).to_be_visible()
    expect(page.get_by_text("L1000003")).to_have_count(0)
    a11y.check(page)
    screenshot(page, "63-dette-garantie")
    year = clock.today().year - 1
    page.get_by_label("Année").select_option(str(year))
    page.get_by_role("button", name="Préparer l'état annuel").click()
    expect(page.get_by_role("status").filter(has_text=f"L'état annuel {year} est en préparation")).to_be_visible()
    expect(page.get_by_role("link", name="actualiser la page")).to_be_visible()
    run_tasks()
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="télécharger le PDF").click()
    pdf = tmp_path / "etat.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert f"au 1er janvier {year}" in text or f"1er janvier {year}" in text
    assert "COMMUNE DE VILLEBOIS" in text and "L1000001" in text and "L9000001" in text
    assert "L1000003" not in text and "50,000" not in text
    a11y.check(page)


def test_disbursement_change_asked_then_accepted_by_the_loan_officer(new_page, a11y, smtp_sink, run_tasks):
    world = portfolio_world(plan_start=clock.today() - timedelta(days=85))
    page = new_page(1280)
    login(page, world.pilot.username, a11y)
    page.get_by_role("link", name="Encours", exact=True).click()
    a11y.check(page)
    page.get_by_role("link", name="Échéanciers de versement").first.click()
    a11y.check(page)
    page.get_by_role("link", name="L1000002", exact=True).click()
    a11y.check(page)
    page.get_by_role("link", name="Demander une modification").click()
    planned = list(world.plai.disbursements.filter(status="planned").order_by("planned_on"))
    new_day = planned[0].planned_on + timedelta(days=20)
    page.get_by_label("Versement 1 : date").fill(new_day.isoformat())
    page.get_by_label("Versement 1 : montant (€)").fill("100 000")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Le total des versements prévus doit rester de 250")).to_be_visible()
    a11y.check(page)
    page.get_by_label("Versement 2 : montant (€)").fill("150 000")
    page.get_by_label("Motif de la demande").fill("Le gros œuvre commence plus tard.")
    screenshot(page, "64-versements-demande")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_text("Votre demande est transmise")).to_be_visible()
    a11y.check(page)
    run_tasks()
    assert smtp_sink.texts_to(world.pilot.email) and "L1000002" in smtp_sink.texts_to(world.pilot.email)[-1]
    assert smtp_sink.texts_to(world.oph.regional_office.email)

    officer = User.objects.create_user(
        username="charge", email="charge@lender.example.org", password="Charge-Pass-2026!", is_staff=True
    )
    staff_roles_ensure()
    officer.groups.add(Group.objects.get(name="Chargé de prêts"))
    device = TOTPDevice.objects.create(user=officer, name="téléphone", confirmed=True)
    staff = new_page(1280)
    staff.goto("/back-office/")
    a11y.check(staff)
    staff.get_by_label("Identifiant").fill("charge")
    staff.get_by_label("Mot de passe").fill("Charge-Pass-2026!")
    staff.get_by_role("button", name="Continuer").click()
    expect(staff.get_by_label("Code de vérification")).to_be_visible()
    a11y.check(staff)
    staff.get_by_label("Code de vérification").fill(f"{totp(device.bin_key):06d}")
    staff.get_by_role("button", name="Valider").click()
    a11y.check(staff)
    staff.get_by_role("link", name="Versements").click()
    a11y.check(staff)
    staff.get_by_role("link", name="L1000002").click()
    staff.get_by_label("Accepter").check()
    staff.get_by_label("Note (envoyée à l'établissement)").fill("Accord du service.")
    a11y.check(staff)
    screenshot(staff, "65-back-office-versements")
    staff.get_by_role("button", name="Enregistrer la décision").click()
    expect(staff.get_by_text("Décision enregistrée pour la ligne L1000002")).to_be_visible()
    a11y.check(staff)
    run_tasks()
    decided = smtp_sink.texts_to(world.pilot.email)[-1]
    assert "a accepté la demande" in decided and "Accord du service." in decided
    assert DisbursementChangeRequest.objects.get().status == ChangeRequestStatus.ACCEPTED
    moved = world.plai.disbursements.filter(status="planned").order_by("planned_on").first()
    assert (moved.planned_on, moved.amount) == (new_day, Decimal("100000.00"))
