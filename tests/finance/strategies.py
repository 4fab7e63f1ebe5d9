"""Hypothesis strategies: realistic loan terms, as the lender's products allow and a little beyond."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

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
)

principals = st.integers(min_value=100_000, max_value=5_000_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
rates = st.integers(min_value=0, max_value=1200).map(lambda bp: Decimal(bp).scaleb(-4))  # 0 % to 12 %
progressions = st.integers(min_value=-300, max_value=300).map(lambda bp: Decimal(bp).scaleb(-4))  # −3 % to +3 %
first_dues = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
prefinancings = st.none() | st.builds(Prefinancing, st.integers(1, 60), st.sampled_from(PrefinancingMode))


@st.composite
def index_histories(draw: st.DrawFn) -> RateHistory:
    """An index from 1990 moving on up to 20 random 1 February / 1 August dates, sometimes below the floor."""
    changes = draw(
        st.lists(st.tuples(st.integers(0, 277), st.integers(0, 600)), max_size=20, unique_by=lambda change: change[0])
    )
    entries = [(date(1990, 1, 1), draw(st.integers(0, 600)))]
    entries += sorted((date(1991 + half // 2, 2 + 6 * (half % 2), 1), bp) for half, bp in changes)
    return RateHistory(tuple((day, Decimal(bp).scaleb(-4)) for day, bp in entries))


@st.composite
def indexed_rates(draw: st.DrawFn) -> IndexedRate:
    margin = Decimal(draw(st.integers(-100, 150))).scaleb(-4)
    return IndexedRate(draw(index_histories()), margin, draw(st.sampled_from(Revision)))


@st.composite
def terms(
    draw: st.DrawFn,
    *,
    profile: Profile | None = None,
    rate: st.SearchStrategy[FixedRate | IndexedRate] | None = None,
    progression: st.SearchStrategy[Decimal] | None = None,
    max_years: int = 60,
) -> Terms:
    """Any valid terms; pass strategies to narrow them."""
    chosen_profile = draw(st.sampled_from(Profile)) if profile is None else profile
    years = draw(st.integers(1, max_years))
    chosen_progression = Decimal(0)
    if chosen_profile is Profile.ECHEANCE_PRIORITAIRE:
        chosen_progression = draw(progressions if progression is None else progression)
    return Terms(
        principal=draw(principals),
        periodicity=draw(st.sampled_from(Periodicity)),
        duration_years=years,
        first_due=draw(first_dues),
        profile=chosen_profile,
        rate=draw(st.builds(FixedRate, rates) | indexed_rates() if rate is None else rate),
        progression=chosen_progression,
        rate_convention=draw(st.sampled_from(RateConvention)),
        deferral_years=draw(st.integers(0, min(5, years - 1))),
        prefinancing=draw(prefinancings),
    )
