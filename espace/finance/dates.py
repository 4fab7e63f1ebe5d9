"""Calendar rules: due dates keep the day of month of the first due date, clamped to the month's end."""

from __future__ import annotations

from calendar import isleap
from datetime import date

_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """Number of days of `month` (1–12) in `year`, 29 for February of a leap year."""
    if month == 2 and isleap(year):
        return 29
    return _DAYS_IN_MONTH[month - 1]


def add_months(day: date, months: int, *, day_of_month: int | None = None) -> date:
    """The date `months` later (earlier when negative) on `day_of_month` (default: `day`'s), clamped.

    Clamping: 31 January + 1 month = 28 (or 29) February; the day of month is never carried over,
    so 31 January + 2 months = 31 March.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month_index = divmod(index, 12)
    wanted = day.day if day_of_month is None else day_of_month
    return date(year, month_index + 1, min(wanted, days_in_month(year, month_index + 1)))


def due_dates(first_due: date, months_between: int, count: int) -> tuple[date, ...]:
    """Due date k (k = 1…count) = first_due + (k − 1)·months_between months, clamped to the month's end.

    Every date is computed from first_due (not from the previous date), so the day of month of
    first_due comes back after a short month: 31 Jan, 28 Feb, 31 Mar…
    """
    day_of_month = first_due.day
    start = first_due.year * 12 + first_due.month - 1
    result = []
    for k in range(count):
        year, month_index = divmod(start + k * months_between, 12)
        last = days_in_month(year, month_index + 1)
        result.append(date(year, month_index + 1, day_of_month if day_of_month <= last else last))
    return tuple(result)
