"""Bench of the portfolio import against a bare insert of its schedule rows.

7,500 lines of 40 annual rows, sent in schedules.csv (300,000 rows), 3 lines per contract, 1 or 2
guarantees per line, written deterministically to a temporary directory. Times the import, then a
bare `ScheduleRow.objects.bulk_create` of the same 300,000 rows (same batch size) into an emptied
table; prints both and the ratio of speeds, and exits 1 when the import runs at less than half the
bare insert's speed. Each is timed twice on empty tables and the best time kept (this machine's
timings vary by ±15 % from run to run). For information, also times the bare insert under the
import's garbage-collector setting (`fewer_garbage_collections`: the import's own overhead is the
gap between those two), and an unchanged re-run.

    .venv/bin/python bench/portfolio_import.py                      # SQLite
    DATABASE_URL=postgres://… .venv/bin/python bench/portfolio_import.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench._results import record  # noqa: E402
from espace.establishments.enums import EstablishmentKind  # noqa: E402
from espace.establishments.models import Establishment  # noqa: E402
from espace.finance import IndexedRate, Periodicity, Profile, Revision, Terms, livret_a, schedule  # noqa: E402
from espace.portfolio.imports.format import (  # noqa: E402
    CONTRACT_COLUMNS,
    GUARANTEE_COLUMNS,
    LINE_COLUMNS,
    SCHEDULE_COLUMNS,
)
from espace.portfolio.imports.pipeline import fewer_garbage_collections  # noqa: E402
from espace.portfolio.imports.writing import BATCH_SIZE, RowValues, schedule_row  # noqa: E402
from espace.portfolio.models import (  # noqa: E402
    Contract,
    FinancingLine,
    Guarantee,
    PlannedDisbursement,
    ScheduleRow,
)
from espace.portfolio.services import portfolio_import  # noqa: E402

LINES = 7_500
ROWS_PER_LINE = 40
LINES_PER_CONTRACT = 3
SEED = 7500
TODAY = date(2026, 11, 25)
TARGET = 0.5
REPEAT = 2

ScheduleData = list[tuple[str, int, date, Decimal, Decimal, Decimal, Decimal, Decimal]]


def write_files(directory: Path) -> ScheduleData:
    """The bench portfolio's five files (no disbursements); returns the schedule rows written."""
    generator = random.Random(SEED)
    history = livret_a().history
    contracts = [";".join(CONTRACT_COLUMNS)]
    lines = [";".join(LINE_COLUMNS)]
    guarantees = [";".join(GUARANTEE_COLUMNS)]
    schedules = [";".join(SCHEDULE_COLUMNS)]
    rows: ScheduleData = []
    for index in range(LINES):
        contract = f"B-{index // LINES_PER_CONTRACT:05d}"
        first_due = date(2010 + index % 20, 1 + index % 12, 1)
        if index % LINES_PER_CONTRACT == 0:
            contracts.append(f"{contract};287576;{date(first_due.year - 1, first_due.month, 15).isoformat()};")
        number = f"{contract}-{index % LINES_PER_CONTRACT + 1}"
        principal = Decimal(generator.randrange(500, 30_000) * 100)
        revision = generator.choice([Revision.SIMPLE, Revision.DOUBLE])
        lines.append(
            f"{number};{contract};plus;{principal};annual;{ROWS_PER_LINE};{first_due.isoformat()};echeance_prioritaire;"
            f"0;livret_a;0.60;;{revision.value};;;;"
        )
        if index % 2:
            guarantees.append(f"{number};CGLLS;100;;")
        else:
            guarantees.append(f"{number};104233;50;DCM-{first_due.year}-001;{first_due.year - 1}-11-02")
            guarantees.append(f"{number};330145;50;CP-{first_due.year}-002;{first_due.year - 1}-10-20")
        terms = Terms(
            principal=principal,
            periodicity=Periodicity.ANNUAL,
            duration_years=ROWS_PER_LINE,
            first_due=first_due,
            profile=Profile.ECHEANCE_PRIORITAIRE,
            rate=IndexedRate(index=history, margin=Decimal("0.006"), revision=revision, index_floor=livret_a().floor),
        )
        for row in schedule(terms).rows:
            rows.append(
                (
                    number,
                    row.number,
                    row.due_date,
                    row.rate,
                    row.instalment,
                    row.interest,
                    row.capital,
                    row.outstanding_after,
                )
            )
            schedules.append(
                f"{number};{row.number};{row.due_date.isoformat()};{row.rate * 100};{row.instalment};"
                f"{row.interest};{row.capital};{row.outstanding_after};"
            )
    for name, content in (
        ("contracts.csv", contracts),
        ("lines.csv", lines),
        ("guarantees.csv", guarantees),
        ("schedules.csv", schedules),
    ):
        (directory / name).write_text("\n".join(content) + "\n", encoding="utf-8")
    return rows


def empty_tables(*models: type) -> None:
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def main() -> int:
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        Establishment.objects.bulk_create(
            [
                Establishment(
                    client_number=number,
                    legal_name=name,
                    kind=kind,
                    is_guarantor=True,
                    legal_representative_title="Monsieur le Président",
                    address_line1="1 rue de la Paix",
                    postal_code="75001",
                    city="Paris",
                )
                for number, name, kind in (
                    ("287576", "OPH MONTREUIL HABITAT", EstablishmentKind.SOCIAL_LANDLORD),
                    ("104233", "COMMUNE DE SAINT-ANDRE-LES-VERGERS", EstablishmentKind.COMMUNE),
                    ("330145", "METROPOLE DU GRAND LYON", EstablishmentKind.INTERCOMMUNALITY),
                )
            ]
        )
        with tempfile.TemporaryDirectory() as temporary:
            directory = Path(temporary)
            data = write_files(directory)

            imports = []
            for _attempt in range(REPEAT):
                empty_tables(ScheduleRow, Guarantee, PlannedDisbursement, FinancingLine, Contract)
                started = time.perf_counter()
                run = portfolio_import(directory=directory, today=TODAY)
                imports.append(time.perf_counter() - started)
                assert not run.errors, run.errors[:5]
                assert run.counts["rows"] == len(data) == LINES * ROWS_PER_LINE, run.counts

            started = time.perf_counter()
            again = portfolio_import(directory=directory, today=TODAY)
            rerun = time.perf_counter() - started
            assert again.counts["contracts"]["unchanged"] == LINES // LINES_PER_CONTRACT, again.counts

        line_ids = dict(FinancingLine.objects.values_list("number", "pk"))

        def bare_insert() -> float:
            objects = [
                schedule_row(line_ids[line], RowValues(*values, Decimal(0), values[1] <= TODAY))
                for line, *values in data
            ]
            empty_tables(ScheduleRow)
            started = time.perf_counter()
            ScheduleRow.objects.bulk_create(objects, batch_size=BATCH_SIZE)
            return time.perf_counter() - started

        bare = min(bare_insert() for _attempt in range(REPEAT))
        with fewer_garbage_collections():
            bare_fewer = min(bare_insert() for _attempt in range(REPEAT))
        imported = min(imports)

        ratio = bare / imported
        print(f"[bench] database: {connection.vendor}; best of {REPEAT} runs each")
        print(
            f"[bench] import of {LINES} lines, {len(data)} schedule rows from CSV: {imported:.1f} s "
            f"({len(data) / imported:,.0f} rows/s; {run.counts['contracts']['created']} contracts)"
        )
        print(
            f"[bench] bare bulk_create of the same rows (batch {BATCH_SIZE}): {bare:.1f} s ({len(data) / bare:,.0f} rows/s)"
        )
        met = record(
            f"portfolio import of {len(data):,} schedule rows ÷ bare bulk insert (speed)",
            ratio,
            ">=",
            TARGET,
            detail=f"{imported:.1f} s vs {bare:.1f} s, {connection.vendor}",
        )
        print(
            f"[bench] bare bulk_create with the import's garbage-collector setting: {bare_fewer:.1f} s "
            f"(import speed / that: {bare_fewer / imported:.2f})"
        )
        print(f"[bench] unchanged re-run: {rerun:.1f} s")
        return 0 if met else 1
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
