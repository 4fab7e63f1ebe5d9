"""Portfolio pages at scale (make bench): each figure recorded against its target (bench._results).

- the dashboard and the loans list of an establishment with 100 lines, then with 20,000 lines
  (40 annual schedule rows each: 800,000 rows): queries per page and median latency;
- an XLSX export of 100,000 schedule rows: peak memory of the process and time, against a bare
  openpyxl write-only workbook of the same rows.

Targets: latency at 20,000 lines ÷ at 100 lines ≤ 1.3 with the same query count (dashboard and
loans list); the export ≤ 1.5 × the bare openpyxl time, its process peak < 150 MB. Exits 1 when one
is missed.

Runs on the test database of DATABASE_URL (PostgreSQL in CI), created and dropped here.

    DATABASE_URL=postgres://… .venv/bin/python bench/portfolio_pages.py [--lines 20000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
# How a page's rendering grows with the portfolio: every request rendered, none from the page cache
# (bench/load.py measures the pages as served).
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django

django.setup()

from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench._results import record  # noqa: E402

SMALL = 100
LATENCY_TARGET = 1.3
EXPORT_TIME_TARGET = 1.5
EXPORT_PEAK_MB = 150


def build(establishment, count: int, *, commune, first_number: int) -> None:
    """`count` lines of one engine-computed template (fast: bulk inserts, one schedule computed)."""
    from datetime import date
    from decimal import Decimal

    from espace.core import clock
    from espace.portfolio.engine import line_figures, line_schedule
    from espace.portfolio.enums import GuarantorKind
    from espace.portfolio.models import Contract, FinancingLine, Guarantee, ScheduleRow
    from espace.products.models import Product
    from espace.products.selectors import livret_a_history

    products = list(Product.objects.filter(code__in=["plus", "plai", "pls", "pam"]))
    today = clock.today()
    template = FinancingLine(
        principal=Decimal("1000000.00"),
        periodicity="annual",
        duration_years=40,
        first_due=date(2021, 3, 1),
        profile="echeance_prioritaire",
        margin=Decimal("0.006"),
    )
    rows = line_schedule(template, livret_a_history()).rows
    figures = line_figures(principal=template.principal, rows=rows, on=today, first_due=template.first_due)
    batch = 1000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        contracts = Contract.objects.bulk_create(
            [
                Contract(number=f"B{first_number + start + i}", borrower=establishment, signed_on=date(2020, 3, 1))
                for i in range(size)
            ]
        )
        lines = FinancingLine.objects.bulk_create(
            [
                FinancingLine(
                    contract=contract,
                    borrower=establishment,
                    number=f"L{first_number + start + i}",
                    product=products[i % len(products)],
                    principal=template.principal,
                    periodicity=template.periodicity,
                    duration_years=40 - (i % 10),
                    first_due=template.first_due,
                    profile=template.profile,
                    margin=template.margin,
                    status=figures.status,
                    figures_on=today,
                    outstanding=figures.outstanding,
                    maturity_date=figures.maturity_date.replace(year=figures.maturity_date.year - i % 10),
                    next_due_date=figures.next_due_date,
                    next_instalment=figures.next_instalment,
                )
                for i, contract in enumerate(contracts)
            ]
        )
        ScheduleRow.objects.bulk_create(
            [
                ScheduleRow(
                    line=line,
                    number=row.number,
                    due_date=row.due_date,
                    rate=row.rate,
                    instalment=row.instalment,
                    interest=row.interest,
                    capital=row.capital,
                    outstanding_after=row.outstanding_after,
                    paid=row.due_date <= today,
                )
                for line in lines
                for row in rows
            ],
            batch_size=5000,
        )
        Guarantee.objects.bulk_create(
            [Guarantee(line=line, guarantor=commune, share_percent=Decimal(60)) for line in lines]
            + [Guarantee(line=line, kind=GuarantorKind.CGLLS, share_percent=Decimal(40)) for line in lines]
        )
    try:
        from espace.portfolio.summaries import summary_refresh
    except ImportError:
        return
    summary_refresh(establishment)


def measure(client, url: str, runs: int = 15) -> tuple[int, float]:
    from django.db import connection

    client.get(url)  # warm-up
    executed: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return len(executed), statistics.median(timings) * 1000


def pages(lines: int) -> bool:
    from django.db import connection
    from django.test import Client

    from espace.accounts.enums import Permission
    from tests.accounts.factories import UserFactory
    from tests.establishments.factories import EstablishmentFactory

    commune = EstablishmentFactory(commune=True)
    results = {}
    for size, first in ((SMALL, 1_000_000), (lines, 2_000_000)):
        establishment = EstablishmentFactory()
        build(establishment, size, commune=commune, first_number=first)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
        client = Client()
        client.force_login(UserFactory(establishment=establishment, permissions=[Permission.VIEW_PORTFOLIO]))
        for name, url in (
            ("dashboard", "/encours/"),
            ("loans list", "/encours/prets/"),
            ("loans list, by outstanding", "/encours/prets/?sort=encours"),
            ("loans list, page 7", "/encours/prets/?page=7"),
        ):
            results.setdefault(name, {})[size] = measure(client, url)
    print(f"[bench] database: {connection.vendor}")
    met = True
    for name, by_size in results.items():
        (q_small, t_small), (q_big, t_big) = by_size[SMALL], by_size[lines]
        print(
            f"[bench] {name}: {q_small} queries / {t_small:.1f} ms at {SMALL} lines; "
            f"{q_big} queries / {t_big:.1f} ms at {lines:,} lines (× {t_big / t_small:.2f})"
        )
        met &= record(
            f"{name}: latency at {lines:,} lines ÷ at {SMALL}",
            t_big / t_small,
            "<=",
            LATENCY_TARGET,
            detail=f"{t_small:.1f} → {t_big:.1f} ms median",
        )
        met &= record(f"{name}: queries at {lines:,} lines − at {SMALL}", q_big - q_small, "==", 0, detail=f"{q_big}")
    return met


def export(rows: int) -> bool:
    """XLSX of `rows` schedule rows through the service, against bare openpyxl, each in a child
    process (its own peak memory) reading the test database built here."""
    import subprocess

    from django.db import connection

    from tests.establishments.factories import EstablishmentFactory

    establishment = EstablishmentFactory()
    build(establishment, rows // 40, commune=EstablishmentFactory(commune=True), first_number=5_000_000)
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url} if connection.vendor == "postgresql" else dict(os.environ)
    child = str(Path(__file__).resolve().with_name("portfolio_export_child.py"))
    figures = {}
    for mode, argument in (("bare", rows), ("service", establishment.pk)):
        output = subprocess.run(
            [sys.executable, child, mode, str(argument)], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
        figures[mode] = (float(output[1]), float(output[2]), float(output[3]))
    (bare_s, bare_peak, base), (service_s, service_peak, _base) = figures["bare"], figures["service"]
    print(
        f"[bench] XLSX of {rows:,} schedule rows: {service_s:.1f} s, process peak {service_peak:.0f} MB "
        f"(Django loaded: {base:.0f} MB); bare openpyxl write-only of the same rows: {bare_s:.1f} s, "
        f"peak {bare_peak:.0f} MB (× {service_s / bare_s:.2f} the time)"
    )
    time_ok = record(
        f"XLSX export of {rows:,} schedule rows ÷ bare openpyxl write-only (time)",
        service_s / bare_s,
        "<=",
        EXPORT_TIME_TARGET,
        detail=f"{service_s:.1f} s vs {bare_s:.1f} s",
    )
    peak_ok = record(
        f"XLSX export of {rows:,} schedule rows: process peak memory",
        service_peak,
        "<",
        EXPORT_PEAK_MB,
        " MB",
        detail=f"Django loaded: {base:.0f} MB",
    )
    return time_ok and peak_ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        met = pages(args.lines)
        if args.export_rows:
            met = export(args.export_rows) and met
        return 0 if met else 1
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
