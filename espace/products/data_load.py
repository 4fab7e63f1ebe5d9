"""Load the product table and the Livret A history from their data files (migrations, demo, tests).

Idempotent: existing rows are updated from the files, rows the data managers added are kept.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from espace.finance import livret_a

PRODUCTS_FILE = Path(__file__).resolve().parent / "data" / "products.json"

PRODUCT_FIELDS = [
    "name",
    "full_name",
    "sector",
    "order",
    "index",
    "min_years",
    "max_years",
    "land_max_years",
    "profiles",
    "revisions",
    "periodicities",
    "prefinancing_min_months",
    "prefinancing_max_months",
    "requestable_online",
    "borrowers",
    "purpose",
]
PERCENT_FIELDS = ["margin_percent", "progression_min_percent", "progression_max_percent"]


def product_rows() -> list[dict[str, Any]]:
    raw = json.loads(PRODUCTS_FILE.read_text(encoding="utf-8"))
    rows = []
    for item in raw["products"]:
        row = {field: item.get(field) for field in PRODUCT_FIELDS}
        row.update({field: Decimal(item[field]) for field in PERCENT_FIELDS})
        row["code"] = item["code"]
        rows.append(row)
    return rows


def products_load(product_model: Any) -> None:
    for row in product_rows():
        code = row.pop("code")
        product_model.objects.update_or_create(code=code, defaults=row)


def livret_a_load(index_rate_model: Any) -> None:
    for day, fraction in livret_a().history:
        index_rate_model.objects.update_or_create(
            index="livret_a", effective_from=day, defaults={"rate_percent": (fraction * 100).quantize(Decimal("0.001"))}
        )
