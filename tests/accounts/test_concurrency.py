"""Races that only a real multi-connection database can show (PostgreSQL in CI)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection, connections

from espace.accounts.enums import AuditAction, UserStatus
from espace.accounts.login import LoginOutcome, login_attempt
from espace.accounts.models import LoginGuard, User
from espace.core import clock
from espace.core.models import AuditEvent
from espace.core.origin import Origin, origin_scope
from espace.registration.enums import RegistrationKind
from espace.registration.models import Registration
from espace.registration.services import AdministratorTakenError, registration_complete
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections: CI runs it on PostgreSQL"
    ),
]


def run_together(count: int, work: Callable[[int], object]) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # the outcome under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_first_users_at_the_same_moment_make_exactly_one_administrator():
    establishment = EstablishmentFactory()
    registrations = [
        Registration.objects.create(
            establishment=establishment,
            kind=RegistrationKind.ADMINISTRATOR,
            username=f"premier{i}",
            first_name="A",
            last_name="B",
            email=f"p{i}@example.org",
            terms_version="1",
            email_verified_at=clock.now(),
            expires_at=clock.now() + settings.REGISTRATION_VALIDITY,
        )
        for i in range(2)
    ]
    results = run_together(2, lambda i: registration_complete(registration=registrations[i]))
    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if isinstance(r, AdministratorTakenError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert User.objects.filter(establishment=establishment, status=UserStatus.AWAITING_ACTIVATION).count() == 1


def test_twenty_concurrent_wrong_passwords_never_beat_the_counter():
    user = UserFactory()

    def attempt(i: int) -> LoginOutcome:
        with origin_scope(Origin(ip=f"10.0.0.{i}")):
            return login_attempt(identifier=user.username, password="wrong").outcome

    results = run_together(20, attempt)
    failed = [r for r in results if r == LoginOutcome.FAILED]
    locked = [r for r in results if r == LoginOutcome.LOCKED]
    assert len(failed) == settings.LOGIN_FAILURES_BEFORE_LOCK - 1, results
    assert len(failed) + len(locked) == 20
    guard = LoginGuard.objects.get(identifier=user.username.lower())
    assert guard.failures == settings.LOGIN_FAILURES_BEFORE_LOCK
    # Locked exactly once: one lock in the journal, one failure recorded per counted try, and no
    # escalation (a second lock within 24 hours would demand a password reset).
    assert guard.locked_until is not None and not guard.requires_reset
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == settings.LOGIN_FAILURES_BEFORE_LOCK
    failures_seen = sorted(e.details["failures"] for e in AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED))
    assert failures_seen == list(range(1, settings.LOGIN_FAILURES_BEFORE_LOCK + 1))  # no two threads saw the same count
