"""The dashboard's figures, summed once per import for each borrower the import touched."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from espace.core import clock
from espace.establishments.models import Establishment
from espace.portfolio.models import FinancingLine, PortfolioSummary
from espace.portfolio.selectors import MaturityOutstanding, ProductOutstanding, YearOutstanding, dashboard_compute


# The JSON lists of PortfolioSummary (amounts as decimal strings), read back by `dashboard_for`.
def _by_product(items: Iterable[ProductOutstanding]) -> list[dict[str, str | int]]:
    return [
        {"product__name": item.product_name, "outstanding": str(item.outstanding), "count": item.count}
        for item in items
    ]


def _by_maturity(items: Iterable[MaturityOutstanding]) -> list[dict[str, str | int]]:
    return [{"year": item.year, "outstanding": str(item.outstanding), "count": item.count} for item in items]


def _projection(items: Iterable[YearOutstanding]) -> list[dict[str, str | int]]:
    return [{"year": item.year, "outstanding": str(item.outstanding)} for item in items]


@transaction.atomic
def summary_refresh(establishment: Establishment) -> PortfolioSummary:
    today = clock.today()
    data = dashboard_compute(establishment, today=today)
    summary, _created = PortfolioSummary.objects.update_or_create(
        establishment=establishment,
        defaults={
            "figures_on": data.figures_on,
            "computed_on": today,
            "lines": data.lines,
            "contracts": data.contracts,
            "principal": data.principal,
            "outstanding": data.total_outstanding,
            "next_12_months": data.next_12_months,
            "by_product": _by_product(data.by_product),
            "by_maturity": _by_maturity(data.by_maturity),
            "projection": _projection(data.projection),
            "guarantors": [list(choice) for choice in data.guarantors],
        },
    )
    return summary


def summaries_refresh(establishment_ids: Iterable[int]) -> int:
    """Refresh the summaries of these borrowers (after an import); returns how many."""
    count = 0
    for establishment in Establishment.objects.filter(pk__in=set(establishment_ids)):
        summary_refresh(establishment)
        count += 1
    return count


def summaries_refresh_all() -> int:
    """After an import: every borrower with lines (their figures moved to the import date); the
    summaries of establishments left without lines go."""
    borrowers = set(FinancingLine.objects.values_list("borrower_id", flat=True).distinct())
    PortfolioSummary.objects.exclude(establishment_id__in=borrowers).delete()
    return summaries_refresh(borrowers)
