"""Loads the required documents table from its JSON (a migration and the tests call it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "required_documents.json"


def required_documents_load(model: Any) -> int:
    """Create the documents that are missing (an edited row is left as the data managers made it)."""
    created = 0
    for item in json.loads(DATA.read_text(encoding="utf-8"))["documents"]:
        _document, was_created = model.objects.get_or_create(
            code=item["code"],
            defaults={key: item[key] for key in ("label", "help_text", "kind", "products", "natures", "order")},
        )
        created += was_created
    return created
