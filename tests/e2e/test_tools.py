"""« Outils et simulateurs » in Chromium, at 1280 and 375 px: the product page, the loan simulator
(chart drawn, XLSX read back), the land share (13,2 %), the operation balance (break-even rent,
XLSX read back), and a client saving a simulation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from espace.simulators.models import Simulation
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def chart_drawn(page: Page, name: str) -> None:
    canvas = page.locator(f"canvas[data-chart='{name}']")
    expect(canvas).to_have_attribute("data-drawn", "true")
    assert canvas.evaluate("c => c.width > 0 && !!c.chart && c.chart.data.datasets.length > 0")


@pytest.mark.parametrize("width", [1280, 375])
def test_product_page_then_loan_simulator_with_scenarios_and_xlsx(new_page, a11y, tmp_path, width):
    page = new_page(width, accept_downloads=True)
    page.goto("/prets/")
    a11y.check(page)
    page.get_by_role("link", name="PLUS", exact=True).click()
    expect(page.get_by_role("heading", name="Qui peut emprunter ?")).to_be_visible()
    expect(page.get_by_text("Livret A + 0,60 %")).to_be_visible()
    a11y.check(page)
    if width == 1280:  # screenshot() takes both widths
        screenshot(page, "50-produit-plus")
    page.get_by_role("link", name="Simuler un PLUS").click()
    a11y.check(page)
    page.get_by_label("Montant (€)").fill("1 000 000")
    page.get_by_label("Durée (années)").fill("40")
    page.get_by_label("Trajectoire du Livret A").fill("01/08/2027 : 1,8 ; 01/02/2028 : 2")
    page.get_by_role("button", name="Calculer").click()
    expect(page.get_by_role("heading", name="Résultats — PLUS")).to_be_visible()
    chart_drawn(page, "capital-interest")
    chart_drawn(page, "outstanding")
    chart_drawn(page, "scenarios")
    expect(page.get_by_role("columnheader", name="Trajectoire saisie")).to_be_attached()
    first_instalment = page.locator(".ep-figures dd").nth(1).inner_text()
    a11y.check(page)
    if width == 1280:  # screenshot() takes both widths
        screenshot(page, "51-simulateur")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (Excel)").click()
    path = tmp_path / "simulation.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    rows = list(workbook["Échéancier"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 40
    shown = Decimal(first_instalment.replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", "."))
    assert Decimal(str(rows[0][3])).quantize(Decimal("0.01")) == shown  # the file says what the screen says
    assert sum(Decimal(str(r[5])).quantize(Decimal("0.01")) for r in rows) == Decimal("1000000.00")

    # Out of the product's range: a message on the field, not an error page.
    page.get_by_label("Durée (années)").fill("45")
    page.get_by_role("button", name="Calculer").click()
    expect(page.get_by_text("Le PLUS se prête de 5 à 40 ans.")).to_be_visible()
    a11y.check(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_land_share_of_13_2_percent(new_page, a11y, width):
    page = new_page(width)
    page.goto("/outils/")
    a11y.check(page)
    page.get_by_role("link", name="Calcul de la part foncière").click()
    page.get_by_label("Charge foncière (€)").fill("450 000")
    page.get_by_label("Coût du bâtiment (€)").fill("2 190 000")
    page.get_by_label("Honoraires et frais (€)").fill("360 000")
    page.get_by_label("Subventions (€)").fill("360 000")
    page.get_by_label("Montant total du prêt (€)").fill("2 000 000")
    page.get_by_role("button", name="Calculer").click()
    figures = page.locator(".ep-figures")
    expect(figures.get_by_text("13,20\u00a0%")).to_be_visible()
    expect(figures.get_by_text("396\u00a0000,00\u00a0€")).to_be_visible()
    chart_drawn(page, "series")
    a11y.check(page)
    if width == 1280:  # screenshot() takes both widths
        screenshot(page, "52-part-fonciere")


@pytest.mark.parametrize("width", [1280, 375])
def test_operation_balance_break_even_rent_and_xlsx(new_page, a11y, tmp_path, width):
    page = new_page(width, accept_downloads=True)
    page.goto("/outils/equilibre-operation/")
    a11y.check(page)
    page.get_by_label("Prix de revient (€)").fill("4 200 000")
    page.get_by_label("Subventions (€)").fill("400 000")
    page.get_by_label("Fonds propres (€)", exact=True).fill("300 000")
    page.get_by_label("Prêt 1", exact=True).select_option("plus")
    page.get_by_label("Prêt 1 : montant (€)").fill("2 500 000")
    page.get_by_label("Prêt 1 : durée (années)").fill("40")
    page.get_by_label("Prêt 2", exact=True).select_option("plai")
    page.get_by_label("Prêt 2 : montant (€)").fill("1 000 000")
    page.get_by_label("Prêt 2 : durée (années)").fill("40")
    page.get_by_label("Taxe foncière par an, après exonération (€)").fill("12 000")
    page.get_by_role("button", name="Calculer").click()
    expect(page.get_by_role("heading", name="Résultats")).to_be_visible()
    break_even = page.locator(".ep-figures dd").first.inner_text()
    assert "par m² et par mois" in break_even
    chart_drawn(page, "cumulative")
    a11y.check(page)
    if width == 1280:  # screenshot() takes both widths
        screenshot(page, "53-equilibre")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (Excel)").click()
    path = tmp_path / "equilibre.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path)
    flows = list(workbook["Flux annuels"].iter_rows(min_row=2, values_only=True))
    assert len(flows) == 40 and all(isinstance(v, int | float) for v in flows[0])
    hypotheses = {row[0]: row[1] for row in workbook["Hypothèses"].iter_rows(min_row=2, values_only=True)}
    rent = Decimal(str(hypotheses["Loyer d'équilibre (€/m²/mois)"])).quantize(Decimal("0.01"))
    assert f"{rent:.2f}".replace(".", ",") in break_even


def test_a_client_saves_a_simulation_and_reopens_it(new_page, a11y):
    user = UserFactory(username="vdupont", first_name="Valérie")
    page = new_page(1280)
    page.goto("/connexion/")
    a11y.check(page)
    page.get_by_label("Identifiant").fill("vdupont")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Bonjour Valérie")).to_be_visible()
    a11y.check(page)
    page.get_by_role("link", name="Outils et simulateurs").click()
    a11y.check(page)  # the tools, with the establishment's saved simulations
    page.get_by_role("link", name="Simulateur d'échéancier").click()
    page.get_by_label("Montant (€)").fill("500 000")
    page.get_by_role("button", name="Calculer").click()
    page.get_by_label("Nom de la simulation").fill("PLUS rue des Tanneurs")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Simulation « PLUS rue des Tanneurs » enregistrée")).to_be_visible()
    a11y.check(page)
    page.goto("/outils/simulations/")
    a11y.check(page)
    page.get_by_role("link", name="PLUS rue des Tanneurs").click()
    expect(page.get_by_label("Montant (€)")).to_have_value("500 000")
    expect(page.get_by_role("heading", name="Résultats — PLUS")).to_be_visible()
    assert Simulation.objects.get().author == user
