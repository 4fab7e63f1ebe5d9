"""Exports of the outstanding loans: CSV for Excel (semicolon, decimal comma, UTF-8 with BOM) and
XLSX, both streamed row by row so memory stays bounded whatever the number of rows."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from espace.portfolio.models import FinancingLine, ScheduleRow

EUROS = '#,##0.00 "€"'
RATE = "0.0000%"
DATE = "DD/MM/YYYY"
CHUNK = 5000

LINE_COLUMNS = [
    ("Contrat", None),
    ("Ligne", None),
    ("Produit", None),
    ("Montant", EUROS),
    ("Capital restant dû", EUROS),
    ("Situation au", DATE),
    ("Statut", None),
    ("Première échéance", DATE),
    ("Dernière échéance", DATE),
    ("Prochaine échéance", DATE),
    ("Montant de la prochaine échéance", EUROS),
]
ROW_COLUMNS = [
    ("Contrat", None),
    ("Ligne", None),
    ("N°", None),
    ("Date", DATE),
    ("Taux", RATE),
    ("Échéance", EUROS),
    ("Intérêts", EUROS),
    ("Amortissement", EUROS),
    ("Capital restant dû", EUROS),
    ("Payée", None),
]


def _line_values(lines: QuerySet[FinancingLine]) -> Iterator[tuple[Any, ...]]:
    statuses = dict(FinancingLine._meta.get_field("status").choices or [])
    for values in (
        lines.order_by("contract__number", "number")
        .values_list(
            "contract__number",
            "number",
            "product__name",
            "principal",
            "outstanding",
            "figures_on",
            "status",
            "first_due",
            "maturity_date",
            "next_due_date",
            "next_instalment",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield (*values[:6], str(statuses.get(values[6], values[6])), *values[7:])


def _row_values(lines: QuerySet[FinancingLine]) -> Iterator[tuple[Any, ...]]:
    rows = ScheduleRow.objects.filter(line__in=lines.order_by().values("pk")).order_by(
        "line__contract__number", "line__number", "number"
    )
    for values in rows.values_list(
        "line__contract__number",
        "line__number",
        "number",
        "due_date",
        "rate",
        "instalment",
        "interest",
        "capital",
        "outstanding_after",
        "paid",
    ).iterator(chunk_size=CHUNK):
        yield (*values[:9], "oui" if values[9] else "non")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if hasattr(value, "strftime"):
        return str(value.strftime("%d/%m/%Y"))
    return str(value)


def csv_stream(columns: list[tuple[str, str | None]], values: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """CSV lines for Excel in French: BOM, `;`, decimal comma, dd/mm/yyyy."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([title for title, _format in columns])
    for row in values:
        yield writer.writerow([_csv_text(value) for value in row])


def lines_csv(lines: QuerySet[FinancingLine]) -> Iterator[str]:
    return csv_stream(LINE_COLUMNS, _line_values(lines))


def schedules_csv(lines: QuerySet[FinancingLine]) -> Iterator[str]:
    return csv_stream(ROW_COLUMNS, _row_values(lines))


def xlsx_file(sheet_title: str, columns: list[tuple[str, str | None]], values: Iterable[tuple[Any, ...]]) -> IO[bytes]:
    """An XLSX written row by row (openpyxl write-only) into a temporary file, rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    bold = Font(bold=True)
    header = []
    for title, _format in columns:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    # One styled cell per formatted column, reused on every row: write-only sheets serialise a row
    # as soon as it is appended, so the cell can take the next row's value (no style lookup per cell).
    styled: list[WriteOnlyCell | None] = []
    for _title, number_format in columns:
        if number_format is None:
            styled.append(None)
        else:
            cell = WriteOnlyCell(sheet)
            cell.number_format = number_format
            styled.append(cell)
    for row in values:
        cells: list[Any] = []
        for value, cell in zip(row, styled, strict=True):
            if cell is None or value is None:
                cells.append(value)
            else:
                cell.value = value
                cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — returned open, closed by the response
    workbook.save(handle)
    handle.seek(0)
    return handle


def lines_xlsx(lines: QuerySet[FinancingLine]) -> IO[bytes]:
    return xlsx_file("Prêts", LINE_COLUMNS, _line_values(lines))


def schedules_xlsx(lines: QuerySet[FinancingLine]) -> IO[bytes]:
    return xlsx_file("Échéanciers", ROW_COLUMNS, _row_values(lines))
