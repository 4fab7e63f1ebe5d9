"""Benchmarks (make bench): print figures, assert nothing about time.

- import of 50,000 establishments (first run, then an unchanged re-run)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

ROWS = 50_000


def build_csv(rows: int) -> bytes:
    lines = [
        "client_number;legal_name;kind;borrower;guarantor;legal_representative_title;address_line1;address_line2;"
        "postal_code;city;regional_office;active"
    ]
    kinds = ["social_landlord", "commune", "departement", "association"]
    for i in range(rows):
        lines.append(
            f"{100000 + i:09d};ETABLISSEMENT {i};{kinds[i % 4]};oui;{'oui' if i % 3 == 0 else 'non'};"
            f"Monsieur le Maire;{i} rue de la République;;{10000 + i % 80000:05d};VILLE {i % 500};"
            f"DR {i % 12};oui"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    from espace.establishments.services import establishments_import

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        raw = build_csv(ROWS)
        started = time.perf_counter()
        report = establishments_import(raw=raw)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = establishments_import(raw=raw)
        second = time.perf_counter() - started
        from django.db import connection

        print(f"[bench] database: {connection.vendor}")
        print(
            f"[bench] import {ROWS} establishments: {first:.1f} s ({report.created} created, {len(report.errors)} errors)"
        )
        print(f"[bench] re-run unchanged file: {second:.1f} s ({again.unchanged} unchanged, {again.updated} updated)")
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


if __name__ == "__main__":
    main()
