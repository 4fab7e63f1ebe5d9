"""Identifier and e-mail lookups: case-insensitive, and served by the LOWER() indexes.

`__iexact` compiles to UPPER(…) = UPPER(…) on PostgreSQL, which no index serves: at 100,000 users
each login scanned the whole table (44 ms; 0.2 ms through the index, bench/profile_page.py --explain).
"""

from __future__ import annotations

import pytest
from django.db import connection

from espace.accounts.enums import UserStatus
from espace.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_lookups_fold_case_on_both_sides() -> None:
    user = UserFactory(username="Jean.Dupont", email="Jean.Dupont@Example.org")
    UserFactory(username="jean.dupontel", email="autre@example.org")

    assert list(User.objects.identifier_is("  JEAN.dupont ")) == [user]
    assert list(User.objects.email_is("jean.dupont@example.ORG")) == [user]
    assert list(User.objects.identifier_or_email_is("JEAN.DUPONT@example.org")) == [user]
    assert list(User.objects.identifier_or_email_is("jean.DUPONT")) == [user]
    assert not User.objects.identifier_is("jean.dupon").exists()


def test_a_lapsed_registration_is_found_by_its_identifier_too() -> None:
    lapsed = UserFactory(username="ancien", status=UserStatus.LAPSED)

    assert list(User.objects.identifier_is("ANCIEN")) == [lapsed]


def _plan(queryset) -> str:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to scan
    return queryset.explain()


@pytest.mark.parametrize(
    ("lookup", "indexes"),
    [
        (lambda: User.objects.identifier_is("x").filter(is_staff=False), {"user_username_lower"}),
        (
            lambda: User.objects.identifier_is("x").filter(is_staff=False, status=UserStatus.ACTIVE),
            {"user_username_lower", "unique_live_username_per_namespace"},
        ),
        (lambda: User.objects.email_is("x@example.org"), {"user_email_lower"}),
        (lambda: User.objects.identifier_or_email_is("x"), {"user_username_lower", "user_email_lower"}),
    ],
)
def test_lookups_use_the_lower_indexes(lookup, indexes) -> None:  # type: ignore[no-untyped-def]
    UserFactory.create_batch(3)

    plan = _plan(lookup())

    assert any(index in plan for index in indexes), plan
    assert "Seq Scan" not in plan and "SCAN accounts_user" not in plan, plan
