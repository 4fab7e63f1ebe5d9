from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from espace.accounts.models import User


class EspaceBackend(ModelBackend):
    """Case-insensitive identifiers (see the user manager); only « actif » accounts hold a session.

    The user of each request comes with its establishment in the same query: every client page
    reads it (tenant isolation starts from `request.establishment`).
    """

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("establishment").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
