"""The dashboard's figures, summed once per import for each borrower the import touched; the
guaranteed-debt page's, for each guarantor."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from espace.core import clock
from espace.establishments.models import Establishment
from espace.portfolio.enums import GuarantorKind
from espace.portfolio.models import FinancingLine, Guarantee, GuarantorSummary, PortfolioSummary
from espace.portfolio.selectors import (
    MaturityOutstanding,
    ProductOutstanding,
    YearOutstanding,
    dashboard_compute,
    guaranteed_totals_compute,
    guarantees_in_order,
)


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


@transaction.atomic
def guarantor_summary_refresh(establishment: Establishment) -> GuarantorSummary:
    """The guarantor's sums, and each guarantee's position in its page (only the moved ones written)."""
    today = clock.today()
    moved = [
        Guarantee(pk=pk, position=position)
        for position, (pk, stored) in enumerate(guarantees_in_order(establishment))
        if stored != position
    ]
    Guarantee.objects.bulk_update(moved, ["position"], batch_size=1000)
    totals = guaranteed_totals_compute(establishment, year=today.year)
    summary, _created = GuarantorSummary.objects.update_or_create(
        establishment=establishment,
        defaults={
            "computed_on": today,
            "year": totals.year,
            "lines": totals.lines,
            "outstanding": totals.outstanding,
            "annuity": totals.annuity,
            "borrowers": [
                {
                    "id": item.borrower_id,
                    "public_id": item.public_id,
                    "name": item.name,
                    "lines": item.lines,
                    "outstanding": str(item.outstanding),
                    "annuity": str(item.annuity),
                }
                for item in totals.borrowers
            ],
        },
    )
    return summary


def guarantor_summaries_refresh(establishment_ids: Iterable[int | None]) -> int:
    """Refresh the summaries of these guarantors (the CGLLS, None, has no page); returns how many."""
    count = 0
    for establishment in Establishment.objects.filter(pk__in={pk for pk in establishment_ids if pk is not None}):
        guarantor_summary_refresh(establishment)
        count += 1
    return count


def summaries_refresh_all() -> int:
    """After an import: every borrower with lines and every guarantor (their figures moved to the
    import date); the summaries of establishments left without lines or guarantees go."""
    borrowers = set(FinancingLine.objects.values_list("borrower_id", flat=True).distinct())
    PortfolioSummary.objects.exclude(establishment_id__in=borrowers).delete()
    guarantors = set(
        Guarantee.objects.filter(kind=GuarantorKind.ESTABLISHMENT)
        .order_by()
        .values_list("guarantor_id", flat=True)
        .distinct()
    )
    GuarantorSummary.objects.exclude(establishment_id__in=guarantors).delete()
    return summaries_refresh(borrowers) + guarantor_summaries_refresh(guarantors)
