"""The user of each request, read through the cache.

Every page behind a login reads its user and the user's establishment. Compiling and running
that query cost most of the logged-in floor (1.8 ms of CPU of 2.1 in process, issue 23); the
cache (Redis when deployed on several machines) answers in one round trip of a pickled row.

The cached copy is forgotten whenever the rows it holds change: any save or delete of the user
(status, permissions, password — the session's hash is derived from it —, last login), any save
of its establishment, and the registry import's bulk writes (`establishments_changed`). Each is
forgotten at once and again when the transaction commits, so a request that read the old row
while the change was being written cannot leave it behind for long; `SESSION_USER_CACHE_SECONDS`
bounds what such a race could keep (60 s). A user whose row changes is read from the database at
their next request, on every node.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from espace.accounts.models import User
from espace.accounts.page_versions import USERS
from espace.accounts.signals import users_written
from espace.core.page_cache import ESTABLISHMENT, page_cache_bump
from espace.establishments.models import Establishment
from espace.establishments.signals import establishments_changed

KEY_PREFIX = "espace:session-user:v2:"  # v2: the establishment gained its second-factor policy


def _key(user_id: object) -> str:
    return f"{KEY_PREFIX}{user_id}"


def session_user_read(user_id: Any) -> User | None:
    """The user with this primary key and their establishment, from the cache or the database."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    user = cache.get(_key(pk))
    if isinstance(user, User):
        return user
    try:
        user = User.objects.select_related("establishment").get(pk=pk)
    except User.DoesNotExist:
        return None
    if not in_own_transaction():
        cache.set(_key(pk), user, settings.SESSION_USER_CACHE_SECONDS)
    return user


def in_own_transaction() -> bool:
    """Whether a row read now is inside a transaction of ours (it may hold our own uncommitted
    writes, or roll back): never cached then (here, and by the API's token cache). The test case's own wrapping blocks do not count,
    as for Django's `atomic(durable=True)`."""
    return any(not block._from_testcase for block in transaction.get_connection().atomic_blocks)


def session_user_forget(user_ids: Iterable[object]) -> None:
    """Forget the cached copies of these users, now and when the current transaction commits."""
    cached_rows_forget([_key(pk) for pk in user_ids])


def cached_rows_forget(keys: list[str]) -> None:
    """Delete these keys of the default cache now and when the current transaction commits (a
    request that read the rows while they were being written cannot leave them behind)."""
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# The same changes give the pages that show them a new version (espace.core.page_cache): the
# users' pages of the establishment (of both, for a user who moves), and the establishment's own.
def _user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    session_user_forget([instance.pk])
    page_cache_bump(USERS, [instance.establishment_id, instance.loaded("establishment_id")])
    instance.loaded_refresh()


def _users_written(sender: type[User], pks: list[int], **kwargs: Any) -> None:
    session_user_forget(pks)
    page_cache_bump(USERS, User.objects.filter(pk__in=pks).values_list("establishment_id", flat=True))


def _establishment_changed(sender: type[Establishment], instance: Establishment, **kwargs: Any) -> None:
    session_user_forget(User.objects.filter(establishment_id=instance.pk).values_list("pk", flat=True))
    page_cache_bump(ESTABLISHMENT, [instance.pk])


def _establishments_changed(sender: type[Establishment], pks: list[int], **kwargs: Any) -> None:
    session_user_forget(User.objects.filter(establishment_id__in=pks).values_list("pk", flat=True))
    page_cache_bump(ESTABLISHMENT, pks)


def session_user_signals_connect() -> None:
    """Called by the accounts app's `ready()`."""
    post_save.connect(_user_changed, sender=User, dispatch_uid="session_user_saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="session_user_deleted")
    post_save.connect(_establishment_changed, sender=Establishment, dispatch_uid="session_user_establishment")
    users_written.connect(_users_written, sender=User, dispatch_uid="session_user_written")
    establishments_changed.connect(_establishments_changed, dispatch_uid="session_user_establishments")
