"""Coming instalments under Livret A scenarios (stable, +1, −1 point, a typed path), for a loan or
the whole direct debt, computed by the finance engine from each line's terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from espace.finance import FinanceInputError
from espace.portfolio.engine import line_schedule
from espace.portfolio.enums import LineStatus
from espace.portfolio.models import FinancingLine
from espace.products.enums import RateIndex
from espace.products.scenarios import Scenario


@dataclass(frozen=True)
class Projection:
    """Instalments due each future year, per scenario (labels in the same order as the amounts)."""

    labels: list[str]
    years: list[int]
    amounts: dict[int, list[Decimal]]
    totals: list[Decimal]
    lines: int
    skipped: list[str]

    @property
    def rows(self) -> list[dict[str, object]]:
        return [{"year": year, "cells": list(zip(self.labels, self.amounts[year], strict=True))} for year in self.years]

    @property
    def total_cells(self) -> list[tuple[str, Decimal]]:
        return list(zip(self.labels, self.totals, strict=True))

    def chart_data(self) -> dict[str, object]:
        return {
            "years": self.years,
            "scenarios": [
                {"label": label, "values": [str(self.amounts[year][index]) for year in self.years]}
                for index, label in enumerate(self.labels)
            ],
        }


def project(lines: list[FinancingLine], scenarios: list[Scenario], *, after: date) -> Projection:
    """Sum, per scenario and per year, the instalments due after `after` of each line."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(scenarios))
    skipped: list[str] = []
    counted = 0
    for line in lines:
        if line.status == LineStatus.REPAID:
            continue
        try:
            for index, scenario in enumerate(scenarios):
                history = scenarios[0].history if line.rate_index == RateIndex.FIXED else scenario.history
                for row in line_schedule(line, history).rows:
                    if row.due_date > after:
                        sums[row.due_date.year][index] += row.instalment
        except FinanceInputError:
            skipped.append(line.number)  # terms the engine cannot replay (as sent by the lender)
            continue
        counted += 1
    years = sorted(sums)
    return Projection(
        labels=[scenario.label for scenario in scenarios],
        years=years,
        amounts=dict(sums),
        totals=[sum((sums[year][index] for year in years), Decimal(0)) for index in range(len(scenarios))],
        lines=counted,
        skipped=skipped,
    )
