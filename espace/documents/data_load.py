"""The first guarantee deliberation template (version 1), loaded by a data migration. Later
versions are written by staff in the back office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

INITIAL_TITLE = "Délibération de garantie d'emprunt — {{ emprunteur }}, ligne {{ ligne }}"
INITIAL_BODY = (Path(__file__).parent / "data" / "deliberation_v1.txt").read_text(encoding="utf-8")


def deliberation_template_initial_load(model: Any) -> None:
    """Version 1 when no version exists yet (idempotent; `model` may be the migration's)."""
    if not model.objects.exists():
        model.objects.create(
            number=1,
            title=INITIAL_TITLE,
            body=INITIAL_BODY,
            note="Modèle initial",
            author_label="Modèle initial du service",
        )
