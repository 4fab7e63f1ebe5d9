"""Benchmark of the finance engine (no Django): prints the figures and exits 1 when a target is missed.

- a 60-year monthly schedule (720 rows): best of 30 runs, target < 5 ms;
- 10,000 annual 40-year schedules with varied principals, rates, progressions and first due dates,
  target < 2 s on one core.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import record
from espace.finance import FixedRate, IndexedRate, Periodicity, Profile, Revision, Terms, livret_a_history, schedule

MONTHLY_TARGET_MS = 5.0
BATCH_TARGET_S = 2.0
BATCH = 10_000


def monthly_terms() -> Terms:
    return Terms(
        principal=Decimal("2500000.00"),
        periodicity=Periodicity.MONTHLY,
        duration_years=60,
        first_due=date(2027, 1, 31),
        profile=Profile.ECHEANCE_PRIORITAIRE,
        rate=FixedRate(Decimal("0.031")),
        progression=Decimal("0.005"),
    )


def annual_batch(count: int) -> list[Terms]:
    draw = random.Random(2026)
    return [
        Terms(
            principal=Decimal(draw.randrange(10_000_00, 20_000_000_00)).scaleb(-2),
            periodicity=Periodicity.ANNUAL,
            duration_years=40,
            first_due=date(2026, 1, 1) + timedelta(days=draw.randrange(0, 3650)),
            profile=Profile.ECHEANCE_PRIORITAIRE,
            rate=FixedRate(Decimal(draw.randrange(50, 600)).scaleb(-4)),
            progression=Decimal(draw.randrange(-300, 51)).scaleb(-4),
        )
        for _ in range(count)
    ]


def best_of(runs: int, terms: Terms) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        schedule(terms)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    terms = monthly_terms()
    rows = len(schedule(terms).rows)
    monthly_ms = best_of(30, terms) * 1000
    indexed = Terms(
        principal=terms.principal,
        periodicity=terms.periodicity,
        duration_years=terms.duration_years,
        first_due=date(2009, 1, 31),
        profile=terms.profile,
        rate=IndexedRate(livret_a_history(), Decimal("0.006"), Revision.DOUBLE),
        progression=terms.progression,
    )
    indexed_ms = best_of(30, indexed) * 1000

    batch = annual_batch(BATCH)
    started = time.perf_counter()
    for loan in batch:
        schedule(loan)
    batch_s = time.perf_counter() - started

    monthly_ok = record(
        f"finance: monthly 60-year schedule ({rows} rows)", monthly_ms, "<", MONTHLY_TARGET_MS, " ms", "best of 30"
    )
    print(f"[bench] same, on the Livret A since 2009 with double revision: {indexed_ms:.2f} ms (figure only)")
    batch_ok = record(f"finance: {BATCH:,} annual 40-year schedules", batch_s, "<", BATCH_TARGET_S, " s", "one core")
    return 0 if monthly_ok and batch_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
