"""Livret A scenarios compared side by side: stable, +1 point, −1 point from a date, a typed path.

Each scenario is the known history followed by future values; the finance engine floors the
index at its regulatory floor (0.50 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from espace.core.exceptions import ApplicationError
from espace.core.form_fields import FrenchDateField, parse_french_decimal
from espace.finance import RateHistory

ONE_POINT = Decimal("0.01")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    history: RateHistory


def last_known_day(history: RateHistory) -> date:
    last = history.first_day
    for day, _rate in history:
        last = day
    return last


def extended(history: RateHistory, entries: list[tuple[date, Decimal]], *, field: str | None = None) -> RateHistory:
    """The known history followed by future values (fractions); the dates must come after it."""
    last = last_known_day(history)
    if entries and entries[0][0] <= last:
        raise ApplicationError(
            "Les dates doivent suivre le dernier taux connu du Livret A ({day}).".format(day=last.strftime("%d/%m/%Y")),
            field=field,
        )
    return RateHistory((*tuple(history), *entries))


def livret_a_scenarios(
    history: RateHistory,
    *,
    today_rate: Decimal,
    shift_from: date | None,
    path_percent: list[tuple[date, Decimal]] | None = None,
    shift_field: str | None = "shift_from",
    path_field: str | None = "index_path",
) -> list[Scenario]:
    """Stable; +1 and −1 point from `shift_from` (when given); the typed path (percent, when given)."""
    scenarios = [Scenario("stable", "Livret A stable", history)]
    if shift_from is not None:
        for key, delta, word in (("up", ONE_POINT, "+1"), ("down", -ONE_POINT, "−1")):
            rate = max(today_rate + delta, Decimal(0))
            label = "Livret A {delta} point au {day}".format(delta=word, day=shift_from.strftime("%d/%m/%Y"))
            scenarios.append(Scenario(key, label, extended(history, [(shift_from, rate)], field=shift_field)))
    if path_percent:
        path = [(day, percent / Decimal(100)) for day, percent in path_percent]
        scenarios.append(Scenario("custom", "Trajectoire saisie", extended(history, path, field=path_field)))
    return scenarios


def parse_index_path(text: str) -> list[tuple[date, Decimal]]:
    """« 01/08/2027 : 1,8 ; 01/02/2028 : 2 » → [(date, percent), …]; ValueError with a French message."""
    entries: list[tuple[date, Decimal]] = []
    for part in [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]:
        if ":" not in part:
            raise ValueError(f"« {part} » : écrivez une date, deux-points, puis le taux (ex. 01/08/2027 : 1,8).")
        day_text, rate_text = (piece.strip() for piece in part.rsplit(":", 1))
        day = FrenchDateField().to_python(day_text) if day_text else None
        if day is None:
            raise ValueError(f"« {part} » : la date est manquante.")
        try:
            rate = parse_french_decimal(rate_text)
        except ValueError:
            raise ValueError(f"« {part} » : le taux n'est pas un nombre.") from None
        if not Decimal(0) <= rate <= Decimal(20):
            raise ValueError(f"« {part} » : le taux doit être compris entre 0 et 20 %.")
        entries.append((day, rate))
    if not entries:
        raise ValueError("Saisissez au moins une date et un taux.")
    if any(later[0] <= earlier[0] for earlier, later in pairwise(entries)):
        raise ValueError("Les dates de la trajectoire doivent se suivre dans l'ordre.")
    return entries
