from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from espace.accounts.models import User
from espace.accounts.session_user import session_user_read


class EspaceBackend(ModelBackend):
    """Case-insensitive identifiers (see the user manager); only « actif » accounts hold a session.

    The user of each request comes with its establishment (every client page reads it: tenant
    isolation starts from `request.establishment`), from the cache when it holds them.
    """

    def get_user(self, user_id: Any) -> User | None:
        # Through the cache, forgotten on every change of the user or its establishment
        # (espace.accounts.session_user): the query and its compilation were most of the
        # logged-in floor.
        user = session_user_read(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
