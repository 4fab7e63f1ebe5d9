"""Livret A scenarios compared side by side: stable, +1 point, −1 point from a date, a typed path.

Each scenario is the known history followed by future values; the finance engine floors the
index at its regulatory floor (0.50 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from espace.core.exceptions import ApplicationError
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
            _("Les dates doivent suivre le dernier taux connu du Livret A (%(day)s).")
            % {"day": last.strftime("%d/%m/%Y")},
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
    scenarios = [Scenario("stable", _("Livret A stable"), history)]
    if shift_from is not None:
        for key, delta, word in (("up", ONE_POINT, "+1"), ("down", -ONE_POINT, "−1")):
            rate = max(today_rate + delta, Decimal(0))
            label = _("Livret A %(delta)s point au %(day)s") % {"delta": word, "day": shift_from.strftime("%d/%m/%Y")}
            scenarios.append(Scenario(key, label, extended(history, [(shift_from, rate)], field=shift_field)))
    if path_percent:
        path = [(day, percent / Decimal(100)) for day, percent in path_percent]
        scenarios.append(Scenario("custom", _("Trajectoire saisie"), extended(history, path, field=path_field)))
    return scenarios
