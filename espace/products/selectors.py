"""Reads of the product table and of the Livret A, as the finance engine takes them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from espace.core import clock
from espace.finance import RateHistory, livret_a
from espace.products.enums import RateIndex
from espace.products.models import IndexRate, Product
from espace.products.terms import LoanRate

HUNDRED = Decimal(100)
logger = logging.getLogger(__name__)


def published_products() -> QuerySet[Product]:
    return Product.objects.filter(published=True)


def product_by_code(code: str) -> Product | None:
    return published_products().filter(code=code).first()


def livret_a_history() -> RateHistory:
    """The Livret A as the lender's data managers keep it (one query).

    An empty table (a database restored without its reference data) falls back to the history
    shipped with the engine rather than failing every rate on the site.
    """
    rows = list(IndexRate.objects.filter(index=RateIndex.LIVRET_A).order_by("effective_from"))
    if not rows:
        logger.error("No Livret A rate in the database: using the history shipped in espace/finance/data.")
        return livret_a().history
    return RateHistory(tuple((row.effective_from, row.rate_percent / HUNDRED) for row in rows))


def livret_a_floor() -> Decimal:
    """The Livret A's regulatory floor (0.50 %), a fact of the index kept with its history."""
    return livret_a().floor


def livret_a_next_revision() -> date:
    """The Livret A's next revision after today (1 February or 1 August, from the engine's index data)."""
    return livret_a().next_revision(clock.today())


@dataclass(frozen=True)
class RateToday:
    index_rate: Decimal  # fraction
    since: date


def livret_a_today(history: RateHistory | None = None) -> RateToday:
    history = history if history is not None else livret_a_history()
    today = clock.today()
    since = max(day for day, _rate in history if day <= today)
    return RateToday(index_rate=history.rate_at(today), since=since)


def product_rate_today(product: Product, history: RateHistory) -> Decimal:
    """The rate a loan of this product carries today (fraction)."""
    return LoanRate.of_product(product).engine_rate(history).rate_at(clock.today())
