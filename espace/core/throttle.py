"""Fixed-window counters in the database, atomic under concurrent requests.

The read-check-increment happens in one transaction with the counter row locked
(SELECT ... FOR UPDATE on PostgreSQL, the database write lock on SQLite).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction

from espace.core import clock
from espace.core.models import ThrottleCounter


def _locked_counter(key: str) -> ThrottleCounter:
    try:
        with transaction.atomic():
            counter, _ = ThrottleCounter.objects.select_for_update().get_or_create(key=key)
    except IntegrityError:
        counter = ThrottleCounter.objects.select_for_update().get(key=key)
    else:
        counter = ThrottleCounter.objects.select_for_update().get(pk=counter.pk)
    return counter


@transaction.atomic
def throttle_hit(*, key: str, window: timedelta) -> int:
    """Count one event for `key` in the current window; return the count including it."""
    counter = _locked_counter(key)
    now = clock.now()
    if now - counter.window_started_at >= window:
        counter.count = 0
        counter.window_started_at = now
    counter.count += 1
    counter.save(update_fields=["count", "window_started_at"])
    return counter.count


def throttle_count(*, key: str, window: timedelta) -> int:
    counter = ThrottleCounter.objects.filter(key=key).first()
    if counter is None or clock.now() - counter.window_started_at >= window:
        return 0
    return counter.count
