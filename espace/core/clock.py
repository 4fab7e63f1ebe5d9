"""The one clock of the service.

Every rule that depends on time (code expiry, lockout, 30-day activation) asks this
module. Tests move time with time-machine, which moves this clock and the task
queue's together, so nothing ever sleeps.
"""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())
