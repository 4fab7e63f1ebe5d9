"""Exact finance engine of the savings-fund loans: schedules, land share, operation balance.

Pure Python: no Django, no I/O but its own data files, `Decimal` for money and rates, never floats.
Conventions are stated in `espace.finance.schedule`'s docstring.
"""

from .enums import Periodicity, PrefinancingMode, Profile, RateConvention, Revision
from .errors import BalanceError, FinanceInputError, LandShareError, RateHistoryError, TermsError
from .rates import FixedRate, IndexData, IndexedRate, RateHistory, livret_a, livret_a_history
from .schedule import Row, Schedule, YearTotals, schedule
from .terms import Prefinancing, Terms

__all__ = [
    "BalanceError",
    "FinanceInputError",
    "FixedRate",
    "IndexData",
    "IndexedRate",
    "LandShareError",
    "Periodicity",
    "Prefinancing",
    "PrefinancingMode",
    "Profile",
    "RateConvention",
    "RateHistory",
    "RateHistoryError",
    "Revision",
    "Row",
    "Schedule",
    "Terms",
    "TermsError",
    "YearTotals",
    "livret_a",
    "livret_a_history",
    "schedule",
]
