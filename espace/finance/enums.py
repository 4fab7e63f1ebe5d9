"""The engine's vocabulary: periodicities, repayment profiles, revision modes, rate conventions.

Values are the code names of GLOSSARY.md; the Django layer maps them to French labels.
"""

from __future__ import annotations

from enum import StrEnum


class Periodicity(StrEnum):
    """How often instalments fall due."""

    ANNUAL = "annual"
    SEMIANNUAL = "semiannual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"

    @property
    def periods_per_year(self) -> int:
        """m: 1, 2, 4 or 12 instalments a year."""
        return _PERIODS_PER_YEAR[self]

    @property
    def months(self) -> int:
        """Months between two due dates: 12 / m."""
        return 12 // _PERIODS_PER_YEAR[self]


_PERIODS_PER_YEAR = {
    Periodicity.ANNUAL: 1,
    Periodicity.SEMIANNUAL: 2,
    Periodicity.QUARTERLY: 4,
    Periodicity.MONTHLY: 12,
}


class Profile(StrEnum):
    """Repayment profile."""

    # « Échéance prioritaire » (amortissement déduit): the instalment is fixed first, capital = instalment − interest.
    ECHEANCE_PRIORITAIRE = "echeance_prioritaire"
    # « Amortissement prioritaire »: constant capital, interest added.
    AMORTISSEMENT_PRIORITAIRE = "amortissement_prioritaire"


class Revision(StrEnum):
    """How an indexed loan follows its index."""

    SIMPLE = "simple"  # only the rate moves
    DOUBLE = "double"  # the rate and the progression move
    DOUBLE_LIMITEE = "double_limitee"  # as double, the progression floored at 0


class RateConvention(StrEnum):
    """How an annual rate becomes a periodic one."""

    ACTUARIAL = "actuarial"  # (1 + r)^(1/m) − 1
    PROPORTIONAL = "proportional"  # r / m


class PrefinancingMode(StrEnum):
    """What happens to the pre-financing interest."""

    PAID = "paid"  # paid at the end of pre-financing
    CAPITALISED = "capitalised"  # added to the amortised principal
