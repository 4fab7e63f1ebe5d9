"""The portfolio import files and their columns: one place for the importer, the demo and the tests.

Pure Python (no Django): `espace.demo.portfolio` writes the demo files from it without settings.
The files are `;`-separated UTF-8; a header may list the columns in any order, and more.
"""

from __future__ import annotations

CONTRACTS = "contracts.csv"
LINES = "lines.csv"
SCHEDULES = "schedules.csv"
GUARANTEES = "guarantees.csv"
DISBURSEMENTS = "disbursements.csv"

# Canonical columns of each file (the header may list them in any order, and more).
CONTRACT_COLUMNS = ("contract_number", "client_number", "signed_on", "dossier_number")
LINE_COLUMNS = (
    "line_number",
    "contract_number",
    "product",
    "principal",
    "periodicity",
    "duration_years",
    "first_due",
    "profile",
    "progression_percent",
    "rate_index",
    "margin_percent",
    "fixed_rate_percent",
    "revision",
    "rate_convention",
    "deferral_years",
    "prefinancing_months",
    "prefinancing_mode",
)
SCHEDULE_COLUMNS = (
    "line_number",
    "number",
    "due_date",
    "rate_percent",
    "instalment",
    "interest",
    "capital",
    "outstanding_after",
    "paid",
)
GUARANTEE_COLUMNS = ("line_number", "guarantor", "share_percent", "deliberation_reference", "deliberation_date")
DISBURSEMENT_COLUMNS = ("line_number", "planned_on", "amount", "status", "drawn_on")
# Columns that may be missing from a header (their values are then empty).
OPTIONAL_COLUMNS = {
    "dossier_number",
    "progression_percent",
    "margin_percent",
    "fixed_rate_percent",
    "revision",
    "rate_convention",
    "deferral_years",
    "prefinancing_months",
    "prefinancing_mode",
    "paid",
    "deliberation_reference",
    "deliberation_date",
    "drawn_on",
}

# Each file's columns, in the order the importer reads them and the demo writes them.
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    CONTRACTS: CONTRACT_COLUMNS,
    LINES: LINE_COLUMNS,
    SCHEDULES: SCHEDULE_COLUMNS,
    GUARANTEES: GUARANTEE_COLUMNS,
    DISBURSEMENTS: DISBURSEMENT_COLUMNS,
}
# Files that may be absent from the directory (every schedule is then computed; no disbursement plan).
OPTIONAL_FILES = {SCHEDULES, DISBURSEMENTS}
