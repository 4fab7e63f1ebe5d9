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

from espace.simulators.services import BalanceResult, LandShareResult, LoanResult

EUROS = '#,##0.00 "€"'
RATE = "0.0000%"
PERCENT = "0.00%"
DATE = "DD/MM/YYYY"
BOLD = Font(bold=True)


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


def loan_xlsx(result: LoanResult, inputs: Sequence[tuple[str, Any, str | None]]) -> bytes:
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
        _row(scenarios, [(line["year"], None), *[(amount, EUROS) for amount in line["amounts"]]])
    _row(scenarios, [("Total des échéances", None), *[(s.total_instalments, EUROS) for s in result.scenarios]])
    _row(scenarios, [("Coût total (intérêts)", None), *[(s.total_interest, EUROS) for s in result.scenarios]])
    return _bytes(workbook)


def land_share_xlsx(result: LandShareResult, inputs: Sequence[tuple[str, Any, str | None]]) -> bytes:
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
            [(line["year"], None), (line["building"], EUROS), (line["land"], EUROS), (line["total"], EUROS)],
        )
    return _bytes(workbook)


def percent_cell(value: Decimal) -> Decimal:
    """A percent typed by the user (2 for 2 %) as the fraction a « % » cell format shows."""
    return value / Decimal(100)


def balance_xlsx(result: BalanceResult, inputs: Sequence[tuple[str, Any, str | None]]) -> bytes:
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
