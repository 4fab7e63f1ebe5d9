from __future__ import annotations

import io
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client
from openpyxl import load_workbook

from espace.finance import FixedRate, Periodicity, Profile, Terms, operation_balance, schedule
from espace.simulators.enums import AuditAction
from espace.simulators.models import Simulation
from tests.accounts.factories import UserFactory
from tests.simulators.factories import LOAN_PARAMS, SimulationFactory

pytestmark = pytest.mark.django_db

BALANCE = {
    "first_year": "2028",
    "analysis_years": "40",
    "cost_price": "4 200 000",
    "subsidies": "400000",
    "own_funds": "300000",
    "dw2_count": "10",
    "dw2_surface": "48",
    "dw2_rent": "6,5",
    "dw3_count": "12",
    "dw3_surface": "66",
    "dw3_rent": "6,2",
    "loan1_product": "plus",
    "loan1_amount": "2500000",
    "loan1_years": "40",
    "loan2_product": "plai",
    "loan2_amount": "1000000",
    "loan2_years": "40",
    "vacancy": "2",
    "unpaid": "1",
    "management": "450",
    "maintenance": "150",
    "major_maintenance": "250",
    "property_tax": "12000",
    "property_tax_exemption_years": "25",
    "rent_indexation": "1,5",
    "cost_indexation": "2",
}
LAND_SHARE = {
    "product": "plus",
    "mode": "costs",
    "land_cost": "450 000",
    "building_cost": "2 190 000",
    "fees": "360 000",
    "subsidies": "360 000",
    "loan_amount": "2 000 000",
    "building_years": "40",
    "land_years": "50",
    "first_due": "2027-12-01",
}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace("&#x27;", "'").replace("\u00a0", " "))


def test_loan_simulation_shows_the_engine_schedule_at_todays_rate(client, clock):
    response = client.get("/outils/simulateur/", {**LOAN_PARAMS, "amount": "1 000 000,00"})
    assert response.status_code == 200
    expected = schedule(
        Terms(
            principal=Decimal("1000000.00"),
            periodicity=Periodicity.ANNUAL,
            duration_years=40,
            first_due=__import__("datetime").date(2027, 12, 1),
            profile=Profile.ECHEANCE_PRIORITAIRE,
            rate=FixedRate(Decimal("0.021")),  # Livret A 1,50 % + 0,60 %, stable
        )
    )
    body = text(response)
    first = f"{expected.rows[0].instalment:,.2f}".replace(",", " ").replace(".", ",")
    total_interest = f"{expected.total_interest:,.2f}".replace(",", " ").replace(".", ",")
    assert "2,10 %" in body and first in body and total_interest in body
    assert 'id="chart-data"' in body and "chart.umd.min" in body


def test_livret_a_scenarios_side_by_side(client, clock):
    response = client.get(
        "/outils/simulateur/",
        {**LOAN_PARAMS, "shift_from": "2027-02-01", "index_path": "01/08/2027 : 1,8 ; 01/02/2028 : 2"},
    )
    body = text(response)
    for label in (
        "Livret A stable",
        "Livret A +1 point au 01/02/2027",
        "Livret A −1 point au 01/02/2027",
        "Trajectoire saisie",
    ):
        assert label in body
    assert body.count("Coût total (intérêts)") >= 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_years", "45", "Le PLUS se prête de 5 à 40 ans."),
        ("profile", "amortissement_prioritaire", "Le PLUS s'amortit en échéance prioritaire"),
        ("periodicity", "monthly", "Échéances possibles pour le PLUS"),
        ("progression", "1", "La progressivité du PLUS va de −3,00 % à 0,50 % par an."),
        ("amount", "un million", "Saisissez un nombre"),
        ("amount", "10", "La valeur doit être au moins 1 000,00 €."),
        ("revision", "double_limitee", "Le PLUS admet"),
        ("first_due", "31/02/2027", "Saisissez une date"),
        ("index_path", "2027 : 1,8", "Saisissez une date"),
        ("index_path", "01/08/2027 : beaucoup", "le taux n'est pas un nombre"),
        ("index_path", "01/01/2020 : 2", "Les dates doivent suivre le dernier taux connu"),
        ("product", "nope", "Choisissez un prêt."),
    ],
)
def test_inputs_out_of_the_product_range_get_a_message_on_the_field(client, clock, field, value, message):
    response = client.get("/outils/simulateur/", {**LOAN_PARAMS, field: value})
    assert response.status_code == 400
    assert message in text(response).replace("&quot;", '"')


def test_loan_xlsx_holds_numbers_equal_to_the_screen(client, clock):
    response = client.get("/outils/simulateur/export.xlsx?" + urlencode({**LOAN_PARAMS, "shift_from": "2027-02-01"}))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Paramètres", "Échéancier", "Par année", "Scénarios Livret A"]
    rows = list(workbook["Échéancier"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 40 and rows[-1][6] == 0
    assert sum(Decimal(str(row[5])) for row in rows) == Decimal("1000000.00")  # capital repaid
    assert workbook["Échéancier"]["D2"].number_format == '#,##0.00 "€"'
    scenarios = list(workbook["Scénarios Livret A"].values)
    assert scenarios[0][1:] == ("Livret A stable", "Livret A +1 point au 01/02/2027", "Livret A −1 point au 01/02/2027")


def test_loan_pdf_is_a_real_pdf(client, clock):
    response = client.get("/outils/simulateur/export.pdf?" + urlencode(LOAN_PARAMS))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    invalid = client.get("/outils/simulateur/export.pdf?" + urlencode({**LOAN_PARAMS, "amount": "x"}))
    assert invalid.status_code == 302  # back to the form with its message
    assert client.get("/outils/simulateur/export.doc?" + urlencode(LOAN_PARAMS)).status_code == 404


def test_land_share_from_costs_is_132_percent(client, clock):
    body = text(client.get("/outils/part-fonciere/", LAND_SHARE))
    assert "13,20 %" in body and "396 000,00 €" in body  # 15 % × (1 − 12 %) of 3 000 000
    assert "264 000,00 €" in body and "1 736 000,00 €" in body  # the loan split
    workbook = load_workbook(
        io.BytesIO(client.get("/outils/part-fonciere/export.xlsx?" + urlencode(LAND_SHARE)).content)
    )
    annuities = list(workbook["Annuités"].iter_rows(min_row=2, values_only=True))
    assert len(annuities) == 50  # the land loan runs 50 years, the building loan 40


@pytest.mark.parametrize(
    ("zone", "percent"), [("Abis", "45,00 %"), ("A", "35,00 %"), ("B1", "30,00 %"), ("B2", "25,00 %"), ("C", "20,00 %")]
)
def test_land_share_flat_rate_by_zone(client, clock, zone, percent):
    params = {**LAND_SHARE, "mode": "flat", "cost_price": "3 000 000", "zone": zone, "acquisition": "vefa"}
    assert percent in text(client.get("/outils/part-fonciere/", params))


def test_land_share_refuses_a_land_loan_longer_than_the_product_allows(client, clock):
    response = client.get("/outils/part-fonciere/", {**LAND_SHARE, "land_years": "61", "product": "plai"})
    assert response.status_code == 400 and "jusqu'à 60 ans" in text(response)


def test_operation_balance_shows_the_break_even_rent_and_exports_two_sheets(client, clock):
    response = client.get("/outils/equilibre-operation/", BALANCE)
    assert response.status_code == 200
    body = text(response)
    assert "Loyer d'équilibre" in body and "par m² et par mois" in body
    workbook = load_workbook(
        io.BytesIO(client.get("/outils/equilibre-operation/export.xlsx?" + urlencode(BALANCE)).content)
    )
    assert workbook.sheetnames == ["Hypothèses", "Flux annuels"]
    flows = list(workbook["Flux annuels"].iter_rows(min_row=2, values_only=True))
    assert len(flows) == 40 and flows[0][0] == 2028
    assert all(isinstance(value, int | float) for value in flows[0])  # numbers, not text
    assert workbook["Flux annuels"]["I2"].number_format == '#,##0.00 "€"'
    hypotheses = {row[0]: row[1] for row in workbook["Hypothèses"].iter_rows(min_row=2, values_only=True)}
    break_even = Decimal(str(hypotheses["Loyer d'équilibre (€/m²/mois)"]))
    assert f"{break_even:.2f}".replace(".", ",") in body


def test_operation_balance_asks_for_what_is_missing(client, clock):
    response = client.get(
        "/outils/equilibre-operation/", {**BALANCE, "dw2_surface": "", "loan1_years": "70", "unpaid": "99"}
    )
    assert response.status_code == 400
    body = text(response)
    assert "Indiquez la surface de ces logements." in body
    assert "Le PLUS se prête de 5 à 40 ans." in body
    assert "ne peuvent dépasser 100 %" in body


def test_client_saves_a_simulation_its_establishment_reopens_it(client, clock):
    author = UserFactory(permissions=[])
    colleague = UserFactory(establishment=author.establishment)
    client.force_login(author)
    page = client.get("/outils/simulateur/", LOAN_PARAMS)
    assert "Enregistrer cette simulation" in text(page)
    response = client.post(
        "/outils/simulations/enregistrer/loan/",
        {"name": "PLUS Montreuil", **{f"p_{k}": v for k, v in LOAN_PARAMS.items()}},
    )
    assert response.status_code == 302 and response["Location"].startswith("/outils/simulateur/?product=plus")
    simulation = Simulation.objects.get()
    assert simulation.author == author and simulation.params["amount"] == "1000000"
    other = Client()
    other.force_login(colleague)
    assert "PLUS Montreuil" in text(other.get("/outils/simulations/"))
    reopened = other.get(f"/outils/simulations/{simulation.public_id}/")
    assert reopened.status_code == 302 and "amount=1000000" in reopened["Location"]
    other.post(f"/outils/simulations/{simulation.public_id}/supprimer/")
    assert not Simulation.objects.exists()
    from espace.core.models import AuditEvent

    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        AuditAction.SIMULATION_SAVED,
        AuditAction.SIMULATION_DELETED,
    }


def test_anonymous_visitors_use_the_tools_but_cannot_save(client, clock):
    page = text(client.get("/outils/simulateur/", LOAN_PARAMS))
    assert "Enregistrer cette simulation" not in page
    response = client.post("/outils/simulations/enregistrer/loan/", {"name": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_saving_without_a_name_keeps_the_inputs(client, clock):
    client.force_login(UserFactory())
    response = client.post(
        "/outils/simulations/enregistrer/loan/", {"name": "", **{f"p_{k}": v for k, v in LOAN_PARAMS.items()}}
    )
    assert response.status_code == 302 and "product=plus" in response["Location"]
    assert not Simulation.objects.exists()
    assert client.post("/outils/simulations/enregistrer/autre/", {"name": "x"}).status_code == 404


def test_saved_list_shows_only_the_establishments_own(client):
    mine = SimulationFactory(name="La mienne")
    SimulationFactory(name="Celle des autres")
    client.force_login(mine.author)
    body = text(client.get("/outils/simulations/"))
    assert "La mienne" in body and "Celle des autres" not in body


def test_balance_break_even_rent_brings_the_final_cumulative_to_zero():
    """The figure the screen shows is the engine's: at that rent the operation balances."""
    from espace.finance import DwellingGroup, OperationInputs
    from espace.finance.balance import with_uniform_rent

    inputs = OperationInputs(
        first_year=2028,
        analysis_years=30,
        dwellings=(DwellingGroup(20, Decimal(60), Decimal("6.00")),),
        cost_price=Decimal(3000000),
        management_per_dwelling=Decimal(400),
    )
    rent = operation_balance(inputs).break_even_rent
    assert rent is not None
    final = operation_balance(with_uniform_rent(inputs, rent)).years[-1].cumulative
    assert abs(final) < Decimal(20 * 60 * 12 * 30) * Decimal("0.01")  # within a cent of rent
