"""The registry import (make bench): 50,000 establishments from CSV against a bare bulk insert.

- import of 50,000 establishments (first run, then an unchanged re-run, for information);
- a bare `Establishment.objects.bulk_create` of the same 50,000 rows (same batch size) into a table
  emptied of them; records import speed ÷ bare insert speed, target ≥ 0.5. Each is timed twice on
  an empty table and the best time kept.

Runs on the test database of DATABASE_URL (PostgreSQL under `make bench`), created and dropped here.
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

from bench._results import record  # noqa: E402

ROWS = 50_000
TARGET = 0.5
REPEAT = 2


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


def main() -> int:
    from django.db import connection

    from espace.establishments.models import Establishment
    from espace.establishments.services import establishments_import

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        raw = build_csv(ROWS)
        firsts = []
        for _attempt in range(REPEAT):
            Establishment.objects.all()._raw_delete(Establishment.objects.db)
            started = time.perf_counter()
            report = establishments_import(raw=raw)
            firsts.append(time.perf_counter() - started)
        first = min(firsts)
        started = time.perf_counter()
        again = establishments_import(raw=raw)
        second = time.perf_counter() - started

        # The bare insert: the same rows as the import wrote them (its cleaned values), built as
        # model instances outside the timing, then one bulk_create with the import's batch size.
        fields = [
            field.attname
            for field in Establishment._meta.concrete_fields
            if field.attname not in {"id", "public_id", "created_at", "updated_at"}
        ]
        values = list(Establishment.objects.values(*fields))

        def bare_insert() -> float:
            objects = [Establishment(**row) for row in values]
            Establishment.objects.all()._raw_delete(Establishment.objects.db)
            started = time.perf_counter()
            Establishment.objects.bulk_create(objects, batch_size=2000)
            return time.perf_counter() - started

        bare = min(bare_insert() for _attempt in range(REPEAT))

        print(f"[bench] database: {connection.vendor}; best of {REPEAT} runs each")
        print(
            f"[bench] import {ROWS} establishments: {first:.1f} s ({report.created} created, {len(report.errors)} errors)"
        )
        print(f"[bench] re-run unchanged file: {second:.1f} s ({again.unchanged} unchanged, {again.updated} updated)")
        print(f"[bench] bare bulk_create of the same {len(values):,} establishments (batch 2000): {bare:.2f} s")
        ok = record(
            f"registry import of {ROWS:,} rows ÷ bare bulk insert (speed)",
            bare / first,
            ">=",
            TARGET,
            detail=f"{first:.1f} s vs {bare:.1f} s, {connection.vendor}",
        )
        return 0 if ok else 1
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
