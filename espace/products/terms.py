"""From the lender's data to the finance engine: a loan's rate, its terms, its building and land parts.

The simulators, the loan requests and the portfolio each describe a loan in their own fields;
they all reach the engine's `Terms` through `terms_for`, so a product's rate (Livret A + margin,
floored, or a fixed rate) and the engine's vocabulary are translated in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from espace.finance import (
    FixedRate,
    IndexedRate,
    Periodicity,
    Prefinancing,
    PrefinancingMode,
    Profile,
    RateConvention,
    RateHistory,
    Revision,
    Terms,
    TermsError,
    livret_a,
)
from espace.products.enums import RateIndex
from espace.products.models import Product

HUNDRED = Decimal(100)
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanRate:
    """A loan's rate as the lender's data state it: an index and a margin, or a fixed rate (fractions).

    The product table keeps percents (`Product.margin_percent`); a portfolio line keeps the
    fractions it was contracted with (`FinancingLine.margin`, `fixed_rate`).
    """

    index: str  # RateIndex
    margin: Decimal = Decimal(0)
    fixed_rate: Decimal | None = None
    revision: str = Revision.SIMPLE

    @classmethod
    def of_product(cls, product: Product, *, revision: str = Revision.SIMPLE) -> LoanRate:
        """The product's rate today: its margin over the Livret A, or its fixed rate."""
        fixed = product.fixed_rate_percent
        return cls(
            index=product.index,
            margin=product.margin_percent / HUNDRED,
            fixed_rate=fixed / HUNDRED if product.index == RateIndex.FIXED and fixed is not None else None,
            revision=revision or Revision.SIMPLE,
        )

    def engine_rate(self, history: RateHistory) -> FixedRate | IndexedRate:
        """The engine's rate: max(max(Livret A, its floor) + margin, 0) along `history`, or the fixed rate."""
        if self.index == RateIndex.FIXED:
            if self.fixed_rate is None:
                raise TermsError("rate", "a fixed-rate loan needs its fixed rate")
            return FixedRate(self.fixed_rate)
        return IndexedRate(
            index=history,
            margin=self.margin,
            revision=_member(Revision, self.revision, "revision"),
            index_floor=livret_a().floor,
        )


def terms_for(
    *,
    rate: LoanRate,
    history: RateHistory,
    principal: Decimal,
    duration_years: int,
    first_due: date,
    profile: str,
    periodicity: str,
    progression: Decimal = Decimal(0),
    rate_convention: str = RateConvention.ACTUARIAL,
    deferral_years: int = 0,
    prefinancing_months: int | None = None,
    prefinancing_mode: str = "",
) -> Terms:
    """The engine's terms of one loan; `progression` is a yearly fraction (0.005 for 0.5 %).

    Raises `espace.finance.TermsError` (a `FinanceInputError`) naming the field the engine refuses,
    unknown choices included. No pre-financing when `prefinancing_months` is empty.
    """
    prefinancing = (
        Prefinancing(prefinancing_months, _member(PrefinancingMode, prefinancing_mode, "prefinancing.mode"))
        if prefinancing_months
        else None
    )
    return Terms(
        principal=principal,
        periodicity=_member(Periodicity, periodicity, "periodicity"),
        duration_years=duration_years,
        first_due=first_due,
        profile=_member(Profile, profile, "profile"),
        rate=rate.engine_rate(history),
        progression=progression,
        rate_convention=_member(RateConvention, rate_convention, "rate_convention"),
        deferral_years=deferral_years,
        prefinancing=prefinancing,
    )


def _member(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise TermsError(field, f"unknown value {value!r}") from None


@dataclass(frozen=True, slots=True)
class LoanPart:
    """One of the loans a financing line is repaid as: the building part, or the land part."""

    label: str
    principal: Decimal
    duration_years: int


def loan_parts(
    *, amount: Decimal, duration_years: int, land_amount: Decimal | None, land_duration_years: int | None
) -> list[LoanPart]:
    """A line with a land part (« part foncière ») is two loans, each over its own duration.

    Building part = amount − land amount over `duration_years`; land part = land amount over
    `land_duration_years`. Without a land part (or its duration) the line is one loan (« Prêt »).
    """
    if not (land_amount and land_duration_years):
        return [LoanPart("Prêt", amount - (land_amount or Decimal(0)), duration_years)]
    return [
        LoanPart("Part bâtiment", amount - land_amount, duration_years),
        LoanPart("Part foncière", land_amount, land_duration_years),
    ]
