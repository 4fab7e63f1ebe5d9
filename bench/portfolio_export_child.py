"""Child of bench/portfolio_pages.py: one XLSX export in a fresh process, so that its peak memory
(VmHWM) is the export's. `bare`: openpyxl write-only of the rows, no database; `service`: the
« Échéanciers (Excel) » export of an establishment, rows streamed from the database."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()


def rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: ru_maxrss would count the parent's before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare(rows: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Échéanciers")
    sheet.append(["Contrat", "Ligne", "N°", "Date", "Taux", "Échéance", "Intérêts", "Amortissement", "CRD", "Payée"])
    day = date(2021, 3, 1)
    for n in range(rows):
        sheet.append(
            [
                f"B{n // 40}",
                f"L{n // 40}",
                n % 40 + 1,
                day + timedelta(days=365 * (n % 40)),
                Decimal("0.021"),
                Decimal("37320.99"),
                Decimal("18909.97"),
                Decimal("18411.02"),
                Decimal("882063.68"),
                "non",
            ]
        )
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)


def service(establishment_id: int) -> None:
    from espace.establishments.models import Establishment
    from espace.portfolio.exports import schedules_xlsx
    from espace.portfolio.selectors import direct_lines

    handle = schedules_xlsx(direct_lines(Establishment.objects.get(pk=establishment_id)))
    handle.close()


def main() -> None:
    mode, argument = sys.argv[1], int(sys.argv[2])
    before = rss_mb()
    started = time.perf_counter()
    bare(argument) if mode == "bare" else service(argument)
    elapsed = time.perf_counter() - started
    print(f"{mode} {elapsed:.3f} {rss_mb():.1f} {before:.1f}")


if __name__ == "__main__":
    main()
