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
        # get(), not first(): first() orders by the model's ordering (last and first names), which
        # every request paid for (0.7 ms of CPU of 2.3, bench/profile_page.py).
        try:
            user = User.objects.select_related("establishment").get(pk=user_id)
        except (User.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None
