"""Schedules as CSV and as JSON-ready dictionaries (amounts as strings with two decimals, rates in percent)."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .rates import IndexedRate
from .schedule import Row, Schedule
from .terms import Terms

HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.0001")
CSV_HEADER = ("number", "due_date", "rate", "instalment", "interest", "capital", "outstanding_after")


def amount_text(amount: Decimal) -> str:
    """An amount with exactly two decimals, dot separator: 1234.50."""
    return f"{amount:.2f}"


def percent_text(fraction: Decimal, places: Decimal = RATE_PLACES) -> str:
    """A fraction as a percent, half-up to `places` (0.031 → 3.1000)."""
    return str((fraction * HUNDRED).quantize(places, ROUND_HALF_UP))


def plain_percent(fraction: Decimal) -> str:
    """A fraction as a percent without trailing zeros (0.031 → 3.1, 0.1 → 10)."""
    return format((fraction * HUNDRED).normalize(), "f")


def schedule_csv(schedule: Schedule) -> str:
    """Comma-separated rows under the header number,due_date,rate,instalment,interest,capital,outstanding_after,
    plus a deferred_interest column only when a row carries deferred interest. Rate in percent, 4 decimals.
    """
    with_deferred = schedule.has_deferred_interest
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((*CSV_HEADER, "deferred_interest") if with_deferred else CSV_HEADER)
    for row in schedule.rows:
        cells = [
            str(row.number),
            row.due_date.isoformat(),
            percent_text(row.rate),
            amount_text(row.instalment),
            amount_text(row.interest),
            amount_text(row.capital),
            amount_text(row.outstanding_after),
        ]
        if with_deferred:
            cells.append(amount_text(row.deferred_interest))
        writer.writerow(cells)
    return buffer.getvalue()


def row_dict(row: Row) -> dict[str, Any]:
    """A row for JSON: amounts as strings, the rate in percent with 4 decimals."""
    return {
        "number": row.number,
        "due_date": row.due_date.isoformat(),
        "rate": percent_text(row.rate),
        "instalment": amount_text(row.instalment),
        "interest": amount_text(row.interest),
        "capital": amount_text(row.capital),
        "outstanding_after": amount_text(row.outstanding_after),
        "deferred_interest": amount_text(row.deferred_interest),
    }


def terms_dict(terms: Terms) -> dict[str, Any]:
    """The terms for JSON: rates and progression in percent, amounts as strings."""
    rate: dict[str, Any]
    if isinstance(terms.rate, IndexedRate):
        rate = {
            "kind": "indexed",
            "index": [
                {"from": day.isoformat(), "percent": plain_percent(value)} for day, value in terms.rate.index.entries
            ],
            "margin_percent": plain_percent(terms.rate.margin),
            "index_floor_percent": plain_percent(terms.rate.index_floor),
            "revision": str(terms.rate.revision),
        }
    else:
        rate = {"kind": "fixed", "rate_percent": plain_percent(terms.rate.rate)}
    return {
        "principal": amount_text(terms.principal),
        "periodicity": str(terms.periodicity),
        "duration_years": terms.duration_years,
        "first_due": terms.first_due.isoformat(),
        "profile": str(terms.profile),
        "progression_percent": plain_percent(terms.progression),
        "rate": rate,
        "rate_convention": str(terms.rate_convention),
        "deferral_years": terms.deferral_years,
        "prefinancing": None
        if terms.prefinancing is None
        else {"months": terms.prefinancing.months, "mode": str(terms.prefinancing.mode)},
    }


def schedule_dict(schedule: Schedule) -> dict[str, Any]:
    """{"terms": …, "totals": {"instalments", "interest", "capital"}, "rows": […]} for JSON."""
    return {
        "terms": terms_dict(schedule.terms),
        "totals": {
            "instalments": amount_text(schedule.total_instalments),
            "interest": amount_text(schedule.total_interest),
            "capital": amount_text(schedule.total_capital),
        },
        "rows": [row_dict(row) for row in schedule.rows],
    }
