"""Rates: dated index histories (Livret A), fixed and indexed loan rates, periodic equivalents.

Rates are `Decimal` fractions in code (0.031 for 3.10 %); the data files store percents.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Any

from .enums import RateConvention, Revision
from .errors import RateHistoryError, TermsError

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
TWELVE = Decimal(12)


@dataclass(frozen=True, slots=True)
class RateHistory:
    """An index as dated values: each rate is in force from its date until the next entry's date.

    `entries` are (date, rate as a fraction), dates strictly increasing.
    """

    entries: tuple[tuple[date, Decimal], ...]
    _days: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.entries:
            raise RateHistoryError("entries", "a rate history needs at least one dated rate")
        for day, rate in self.entries:
            if not isinstance(day, date) or not isinstance(rate, Decimal) or not rate.is_finite():
                raise RateHistoryError("entries", "each entry is a (date, Decimal rate)")
        days = tuple(day for day, _ in self.entries)
        if any(later <= earlier for earlier, later in pairwise(days)):
            raise RateHistoryError("entries", "dates must be strictly increasing")
        object.__setattr__(self, "_days", days)

    def __iter__(self) -> Iterator[tuple[date, Decimal]]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @classmethod
    def constant(cls, rate: Decimal, since: date = date.min) -> RateHistory:
        """A history with one value, in force from `since` (default: the beginning of time)."""
        return cls(((since, rate),))

    @property
    def first_day(self) -> date:
        """The first day the history covers."""
        return self._days[0]

    def rate_at(self, day: date) -> Decimal:
        """The value in force on `day`: the last entry dated on or before it; an error before the first entry."""
        position = bisect_right(self._days, day) - 1
        if position < 0:
            raise RateHistoryError("day", f"no rate before {self._days[0].isoformat()} (asked for {day.isoformat()})")
        return self.entries[position][1]


@dataclass(frozen=True, slots=True)
class FixedRate:
    """A fixed annual rate (fraction), 0 ≤ rate ≤ 1."""

    rate: Decimal

    def __post_init__(self) -> None:
        _require_rate(self.rate, "rate", low=ZERO, high=ONE)

    def rate_at(self, day: date) -> Decimal:
        """The same rate every day."""
        return self.rate


@dataclass(frozen=True, slots=True)
class IndexedRate:
    """An indexed annual rate: max(max(index, index_floor) + margin, 0), all fractions.

    The index value used for a period is the one in force on the first day of the period.
    """

    index: RateHistory
    margin: Decimal
    revision: Revision = Revision.SIMPLE
    index_floor: Decimal = Decimal("0.005")

    def __post_init__(self) -> None:
        if not isinstance(self.index, RateHistory):
            raise TermsError("index", "the index must be a RateHistory")
        _require_rate(self.margin, "margin", low=-ONE, high=ONE)
        _require_rate(self.index_floor, "index_floor", low=-ONE, high=ONE)
        if not isinstance(self.revision, Revision):
            raise TermsError("revision", f"unknown revision {self.revision!r}")

    def rate_at(self, day: date) -> Decimal:
        """Loan rate on `day` = max(max(index(day), index_floor) + margin, 0)."""
        index = self.index.rate_at(day)
        if index < self.index_floor:
            index = self.index_floor
        rate = index + self.margin
        return rate if rate > ZERO else ZERO


Rate = FixedRate | IndexedRate


def _require_rate(value: object, name: str, *, low: Decimal, high: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TermsError(name, "must be a finite Decimal fraction (0.031 for 3.1 %)")
    if not low <= value <= high:
        raise TermsError(name, f"must be between {low} and {high} (a fraction: 0.031 for 3.1 %), got {value}")


def periodic_rate(annual: Decimal, periods_per_year: int, convention: RateConvention) -> Decimal:
    """Periodic rate of an annual rate r over m periods a year.

    actuarial: i = (1 + r)^(1/m) − 1 (the compounded equivalent); proportional: i = r / m.
    """
    if periods_per_year == 1:
        return annual
    if convention is RateConvention.PROPORTIONAL:
        return annual / periods_per_year
    return (ONE + annual) ** (ONE / periods_per_year) - ONE


def prefinancing_rate(annual: Decimal, months: int, convention: RateConvention) -> Decimal:
    """Rate over a pre-financing of `months` months: (1 + r)^(months/12) − 1 actuarial, r·months/12 proportional."""
    if convention is RateConvention.PROPORTIONAL:
        return annual * months / TWELVE
    if months % 12 == 0:
        return (ONE + annual) ** (months // 12) - ONE
    return (ONE + annual) ** (Decimal(months) / TWELVE) - ONE


def revised_progression(progression: Decimal, before: Decimal, after: Decimal, revision: Revision) -> Decimal:
    """Yearly progression after the annual rate moves from r₀ = `before` to r₁ = `after`.

    simple: P unchanged; double: P′ = (1 + P)·(1 + r₁)/(1 + r₀) − 1, which is DOMAIN.md's
    (1 + P)·(1 + ΔLA/(1 + r₀)) − 1 with ΔLA = r₁ − r₀; double_limitee: max(P′, 0).
    """
    if revision is Revision.SIMPLE:
        return progression
    revised = (ONE + progression) * (ONE + after) / (ONE + before) - ONE
    if revision is Revision.DOUBLE_LIMITEE and revised < ZERO:
        return ZERO
    return revised


@dataclass(frozen=True, slots=True)
class IndexData:
    """An index as published: its history, its floor and its usual revision dates (month, day)."""

    history: RateHistory
    floor: Decimal
    revision_dates: tuple[tuple[int, int], ...]

    def next_revision(self, after: date) -> date:
        """The first usual revision date strictly after `after` (1 February or 1 August for the Livret A)."""
        days = sorted(self.revision_dates)
        for year in (after.year, after.year + 1):
            for month, day in days:
                candidate = date(year, month, day)
                if candidate > after:
                    return candidate
        raise RateHistoryError("revision_dates", "an index with revisions has at least one revision date")


def load_index(raw: dict[str, Any]) -> IndexData:
    """Read an index from its JSON form: percents as strings, ISO dates, "MM-DD" revision dates."""
    if raw.get("unit") != "percent":
        raise RateHistoryError("unit", "index files store percents")
    entries = tuple((date.fromisoformat(item["from"]), Decimal(item["percent"]) / HUNDRED) for item in raw["rates"])
    revision_dates = tuple((int(text[:2]), int(text[3:])) for text in raw["revision_dates"])
    return IndexData(RateHistory(entries), Decimal(raw["floor_percent"]) / HUNDRED, revision_dates)


@cache
def livret_a() -> IndexData:
    """The Livret A index of data/livret_a.json (every dated value since 2008, floor, revision dates)."""
    text = (resources.files("espace.finance") / "data" / "livret_a.json").read_text(encoding="utf-8")
    return load_index(json.loads(text))


def livret_a_history() -> RateHistory:
    """The Livret A history as a RateHistory of fractions (0.015 for 1.50 %)."""
    return livret_a().history
