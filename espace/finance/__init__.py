"""Exact finance engine of the savings-fund loans: schedules, land share, operation balance.

Pure Python: no Django, no I/O but its own data files, `Decimal` for money and rates, never floats.
Conventions are stated in `espace.finance.schedule`'s docstring.
"""

from .balance import (
    BalanceYear,
    DwellingGroup,
    FinancingPlan,
    OperationBalance,
    OperationInputs,
    financing_plan,
    operation_balance,
)
from .enums import Periodicity, PrefinancingMode, Profile, RateConvention, Revision
from .errors import BalanceError, FinanceInputError, LandShareError, RateHistoryError, TermsError
from .land_share import Acquisition, LandShare, Zone, land_share_flat, land_share_from_costs
from .rates import FixedRate, IndexData, IndexedRate, RateHistory, livret_a, livret_a_history
from .schedule import Row, Schedule, YearTotals, schedule
from .terms import Prefinancing, Terms

__all__ = [
    "Acquisition",
    "BalanceError",
    "BalanceYear",
    "DwellingGroup",
    "FinanceInputError",
    "FinancingPlan",
    "FixedRate",
    "IndexData",
    "IndexedRate",
    "LandShare",
    "LandShareError",
    "OperationBalance",
    "OperationInputs",
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
    "Zone",
    "financing_plan",
    "land_share_flat",
    "land_share_from_costs",
    "livret_a",
    "livret_a_history",
    "operation_balance",
    "schedule",
]
