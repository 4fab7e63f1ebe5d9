"""Downloads of the tools: XLSX (openpyxl write-only, numbers stored as numbers with French
formats, so users can keep working on them) and PDF (WeasyPrint)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS, REVISION_LABELS
from espace.products.models import Product
from espace.simulators.services import BalanceResult, LandShareResult, LoanResult

EUROS = '#,##0.00 "€"'
RATE = "0.0000%"
PERCENT = "0.00%"
DATE = "DD/MM/YYYY"
BOLD = Font(bold=True)

InputRow = tuple[str, Any, str | None]  # label, value, cell number format (None: as is)


def _header(sheet: WriteOnlyWorksheet, titles: Sequence[str]) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)


def _row(sheet: WriteOnlyWorksheet, values: Iterable[tuple[Any, str | None]]) -> None:
    cells = []
    for value, number_format in values:
        cell = WriteOnlyCell(sheet, value=value)
        if number_format:
            cell.number_format = number_format
        cells.append(cell)
    sheet.append(cells)


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def loan_xlsx(result: LoanResult, inputs: Sequence[InputRow]) -> bytes:
    workbook = Workbook(write_only=True)
    params = workbook.create_sheet("Paramètres")
    _header(params, ["Paramètre", "Valeur"])
    for label, value, number_format in inputs:
        _row(params, [(label, None), (value, number_format)])

    rows = workbook.create_sheet("Échéancier")
    _header(rows, ["N°", "Date", "Taux", "Échéance", "Intérêts", "Amortissement", "Capital restant dû"])
    for row in result.schedule.rows:
        _row(
            rows,
            [
                (row.number, None),
                (row.due_date, DATE),
                (row.rate, RATE),
                (row.instalment, EUROS),
                (row.interest, EUROS),
                (row.capital, EUROS),
                (row.outstanding_after, EUROS),
            ],
        )

    yearly = workbook.create_sheet("Par année")
    _header(yearly, ["Année", "Échéances", "Intérêts", "Amortissement", "Capital restant dû au 31/12"])
    for year in result.years:
        _row(
            yearly,
            [
                (year.year, None),
                (year.instalments, EUROS),
                (year.interest, EUROS),
                (year.capital, EUROS),
                (year.outstanding_end, EUROS),
            ],
        )

    scenarios = workbook.create_sheet("Scénarios Livret A")
    _header(scenarios, ["Année", *[s.label for s in result.scenarios]])
    for line in result.comparison:
        _row(scenarios, [(line.year, None), *[(amount, EUROS) for amount in line.amounts]])
    _row(scenarios, [("Total des échéances", None), *[(s.total_instalments, EUROS) for s in result.scenarios]])
    _row(scenarios, [("Coût total (intérêts)", None), *[(s.total_interest, EUROS) for s in result.scenarios]])
    return _bytes(workbook)


def land_share_xlsx(result: LandShareResult, inputs: Sequence[InputRow]) -> bytes:
    workbook = Workbook(write_only=True)
    params = workbook.create_sheet("Paramètres")
    _header(params, ["Paramètre", "Valeur"])
    for label, value, number_format in inputs:
        _row(params, [(label, None), (value, number_format)])
    _row(params, [("Part foncière", None), (result.share.fraction, PERCENT)])
    _row(params, [("Prêt foncier", None), (result.land_amount, EUROS)])
    _row(params, [("Prêt construction", None), (result.building_amount, EUROS)])
    yearly = workbook.create_sheet("Annuités")
    _header(yearly, ["Année", "Prêt construction", "Prêt foncier", "Total"])
    for line in result.combined:
        _row(
            yearly,
            [(line.year, None), (line.building, EUROS), (line.land, EUROS), (line.total, EUROS)],
        )
    return _bytes(workbook)


def balance_xlsx(result: BalanceResult, inputs: Sequence[InputRow]) -> bytes:
    """Two sheets users keep working on: the inputs, and the yearly flows."""
    workbook = Workbook(write_only=True)
    params = workbook.create_sheet("Hypothèses")
    _header(params, ["Hypothèse", "Valeur"])
    for label, value, number_format in inputs:
        _row(params, [(label, None), (value, number_format)])
    balance = result.balance
    _row(params, [("Loyer d'équilibre (€/m²/mois)", None), (balance.break_even_rent, '#,##0.00 "€"')])
    _row(params, [("Année de retour à l'équilibre", None), (balance.payback_year, None)])
    _row(params, [("Écart du plan de financement", None), (balance.financing.gap, EUROS)])
    flows = workbook.create_sheet("Flux annuels")
    _header(
        flows,
        [
            "Année",
            "Loyers",
            "Autres produits",
            "Vacance et impayés",
            "Annuités",
            "Charges",
            "Taxe foncière",
            "Flux net",
            "Solde cumulé",
        ],
    )
    for year in balance.years:
        _row(
            flows,
            [
                (year.year, None),
                (year.rents, EUROS),
                (year.other_income, EUROS),
                (year.losses, EUROS),
                (year.annuities, EUROS),
                (year.costs, EUROS),
                (year.property_tax, EUROS),
                (year.net_cash_flow, EUROS),
                (year.cumulative, EUROS),
            ],
        )
    return _bytes(workbook)


def percent_cell(value: Decimal) -> Decimal:
    """A percent typed by the user (2 for 2 %) as the fraction a « % » cell format shows."""
    return value / Decimal(100)


def loan_inputs(data: dict[str, Any]) -> list[InputRow]:
    """The loan simulator's inputs, as the downloads list them (label, value, cell format)."""
    product: Product = data["product_obj"]
    return [
        ("Prêt", f"{product.name} — {product.full_name}", None),
        ("Montant", data["amount"], EUROS),
        ("Durée (années)", data["duration_years"], None),
        ("Profil", str(PROFILE_LABELS[data["profile"]]), None),
        ("Progressivité annuelle", percent_cell(data.get("progression") or Decimal(0)), PERCENT),
        ("Périodicité", str(PERIODICITY_LABELS[data["periodicity"]]), None),
        ("Révision", str(REVISION_LABELS[data["revision"]]) if data.get("revision") else "—", None),
        ("Première échéance", data["first_due"], DATE),
    ]


def land_share_inputs(data: dict[str, Any]) -> list[InputRow]:
    """The land share tool's inputs, as the downloads list them."""
    product: Product = data["product_obj"]
    rows: list[InputRow] = [
        ("Prêt", product.name, None),
        ("Prix de revient", data["cost_price"], EUROS),
    ]
    if data["mode"] == "costs":
        rows += [
            ("Charge foncière", data["land_cost"], EUROS),
            ("Subventions", data.get("subsidies") or Decimal(0), EUROS),
        ]
    else:
        rows += [("Zone", data["zone"], None), ("Type d'opération", data["acquisition"], None)]
    rows += [
        ("Montant total du prêt", data["loan_amount"], EUROS),
        ("Durée construction (années)", data["building_years"], None),
        ("Durée foncier (années)", data["land_years"], None),
        ("Première échéance", data["first_due"], DATE),
    ]
    return rows


def balance_inputs(data: dict[str, Any]) -> list[InputRow]:
    """The operation balance's hypotheses, as the downloads list them."""
    rows: list[InputRow] = [
        ("Première année", data["first_year"], None),
        ("Durée d'analyse (années)", data["analysis_years"], None),
        ("Prix de revient", data["cost_price"], EUROS),
    ]
    for index, (count, surface, rent) in enumerate(data["dwellings"], start=1):
        rows += [
            (f"Logements {index} : nombre", count, None),
            (f"Logements {index} : surface (m²)", surface, "0.00"),
            (f"Logements {index} : loyer (€/m²/mois)", rent, EUROS),
        ]
    for index, (product, amount, years) in enumerate(data["loans"], start=1):
        rows += [
            (f"Prêt {index}", product.name, None),
            (f"Prêt {index} : montant", amount, EUROS),
            (f"Prêt {index} : durée", years, None),
        ]
    for name, label in (
        ("subsidies", "Subventions"),
        ("own_funds", "Fonds propres"),
        ("other_income", "Autres produits par an"),
        ("management", "Gestion par logement"),
        ("maintenance", "Entretien courant par logement"),
        ("major_maintenance", "Gros entretien par logement"),
        ("property_tax", "Taxe foncière par an"),
    ):
        rows.append((label, data.get(name) or Decimal(0), EUROS))
    for name, label in (
        ("own_funds_return", "Rémunération des fonds propres"),
        ("vacancy", "Vacance"),
        ("unpaid", "Impayés"),
        ("rent_indexation", "Indexation des loyers"),
        ("cost_indexation", "Indexation des charges"),
    ):
        rows.append((label, percent_cell(data.get(name) or Decimal(0)), PERCENT))
    rows.append(("Exonération de taxe foncière (années)", data.get("property_tax_exemption_years") or 0, None))
    return rows
