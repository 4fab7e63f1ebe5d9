"""Loan terms, validated when built: an invalid `Terms` never exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .dates import add_months
from .enums import Periodicity, PrefinancingMode, Profile, RateConvention
from .errors import RateHistoryError, TermsError
from .rates import FixedRate, IndexedRate, Rate

CENT = Decimal("0.01")
MAX_PRINCIPAL = Decimal("999999999999.99")
MAX_DURATION_YEARS = 80
MAX_PREFINANCING_MONTHS = 60
MAX_PROGRESSION = Decimal("0.10")


@dataclass(frozen=True, slots=True)
class Prefinancing:
    """Pre-financing of `months` months (1–60) before amortisation; its interest is paid or capitalised."""

    months: int
    mode: PrefinancingMode

    def __post_init__(self) -> None:
        if not _is_int(self.months) or not 1 <= self.months <= MAX_PREFINANCING_MONTHS:
            raise TermsError(
                "prefinancing.months", f"must be a whole number of months from 1 to 60, got {self.months!r}"
            )
        if not isinstance(self.mode, PrefinancingMode):
            raise TermsError("prefinancing.mode", f"must be 'paid' or 'capitalised', got {self.mode!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Terms:
    """What a loan's schedule depends on. Money and rates are Decimal; rates and progression are fractions.

    - principal: amount lent, > 0, in cents;
    - periodicity, duration_years (1–80, counted from the first due date, deferral included), first_due;
    - profile; progression: yearly growth of the instalments (−0.10 to 0.10, échéance prioritaire only);
    - rate: FixedRate or IndexedRate; rate_convention: how the annual rate becomes periodic;
    - deferral_years: capital deferral at the start, inside the duration (< duration_years);
    - prefinancing: optional, ends one period before first_due.
    """

    principal: Decimal
    periodicity: Periodicity
    duration_years: int
    first_due: date
    profile: Profile
    rate: Rate
    progression: Decimal = Decimal(0)
    rate_convention: RateConvention = RateConvention.ACTUARIAL
    deferral_years: int = 0
    prefinancing: Prefinancing | None = None

    def __post_init__(self) -> None:
        self.validate()

    @property
    def periods_per_year(self) -> int:
        """m."""
        return self.periodicity.periods_per_year

    @property
    def period_count(self) -> int:
        """n = duration_years × m instalments (deferral included)."""
        return self.duration_years * self.periodicity.periods_per_year

    @property
    def deferral_periods(self) -> int:
        """Interest-only instalments at the start: deferral_years × m."""
        return self.deferral_years * self.periodicity.periods_per_year

    @property
    def first_period_start(self) -> date:
        """Start of the first period: first_due minus one period (also the end of any pre-financing)."""
        return add_months(self.first_due, -self.periodicity.months)

    @property
    def drawn_on(self) -> date:
        """The day the loan is assumed fully drawn: start of pre-financing, else start of the first period."""
        if self.prefinancing is None:
            return self.first_period_start
        # Like every date of the loan, on first_due's day of month (clamped), not on the clamped period start.
        return add_months(self.first_due, -self.periodicity.months - self.prefinancing.months)

    def validate(self) -> None:
        """Raise TermsError (naming the field) unless the terms make a loan."""
        _check_principal(self.principal)
        if not isinstance(self.periodicity, Periodicity):
            raise TermsError("periodicity", f"unknown periodicity {self.periodicity!r}")
        if not isinstance(self.profile, Profile):
            raise TermsError("profile", f"unknown profile {self.profile!r}")
        if not isinstance(self.rate_convention, RateConvention):
            raise TermsError("rate_convention", f"unknown rate convention {self.rate_convention!r}")
        if not _is_int(self.duration_years) or not 1 <= self.duration_years <= MAX_DURATION_YEARS:
            raise TermsError(
                "duration_years", f"must be a whole number of years from 1 to 80, got {self.duration_years!r}"
            )
        if not _is_int(self.deferral_years) or not 0 <= self.deferral_years < self.duration_years:
            raise TermsError(
                "deferral_years",
                f"must be a whole number of years from 0 to duration_years − 1, got {self.deferral_years!r}",
            )
        _check_progression(self.progression, self.profile)
        if not isinstance(self.rate, FixedRate | IndexedRate):
            raise TermsError("rate", "must be a FixedRate or an IndexedRate")
        if self.prefinancing is not None and not isinstance(self.prefinancing, Prefinancing):
            raise TermsError("prefinancing", "must be a Prefinancing or None")
        self._check_dates()

    def _check_dates(self) -> None:
        if not isinstance(self.first_due, date) or isinstance(self.first_due, datetime):
            raise TermsError("first_due", "must be a date")
        try:
            drawn_on = self.drawn_on
            add_months(self.first_due, self.duration_years * 12)
        except (ValueError, OverflowError):
            raise TermsError("first_due", "the schedule would fall outside the calendar (years 1–9999)") from None
        if isinstance(self.rate, IndexedRate):
            try:
                self.rate.index.rate_at(drawn_on)
            except RateHistoryError:
                raise TermsError(
                    "rate",
                    f"the index starts on {self.rate.index.first_day.isoformat()}, after the loan is drawn "
                    f"({drawn_on.isoformat()})",
                ) from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_principal(principal: object) -> None:
    if not isinstance(principal, Decimal) or not principal.is_finite():
        raise TermsError("principal", "must be a finite Decimal amount")
    if not Decimal(0) < principal <= MAX_PRINCIPAL:
        raise TermsError("principal", f"must be greater than 0 and at most {MAX_PRINCIPAL}, got {principal}")
    if principal != principal.quantize(CENT):
        raise TermsError("principal", f"must be a whole number of cents, got {principal}")


def _check_progression(progression: object, profile: Profile) -> None:
    if not isinstance(progression, Decimal) or not progression.is_finite():
        raise TermsError("progression", "must be a finite Decimal fraction (0.005 for 0.5 %)")
    if not -MAX_PROGRESSION <= progression <= MAX_PROGRESSION:
        raise TermsError("progression", f"must be between -0.10 and 0.10 (−10 % to +10 %), got {progression}")
    if progression and profile is Profile.AMORTISSEMENT_PRIORITAIRE:
        raise TermsError(
            "progression", "applies to echeance_prioritaire only (amortissement_prioritaire has constant capital)"
        )
