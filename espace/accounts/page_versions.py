"""The `USERS` scope of the page cache (espace.core.page_cache): an establishment's users as its
pages list them to their colleagues (« Liste des utilisateurs », « fiche d'identité », the home
page's administrators and pending registrations, the authors on the dossiers). `session_user`
bumps it on every change of a user (both establishments, when one moves); here, their second
factors. A page's own viewer is in its key anyway, as the request read them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from espace.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from espace.core.page_cache import page_cache_depends

USERS = "users"


def _of_user(user_id: Any) -> Iterable[int | None]:
    return User.objects.filter(pk=user_id).values_list("establishment_id", flat=True)


def accounts_page_versions_connect() -> None:
    """Called by the accounts app's `ready()`."""
    for model in (TOTPDevice, RecoveryCodeDevice, WebAuthnCredential):
        page_cache_depends(model, USERS, lambda device: _of_user(device.user_id))
    page_cache_depends(
        RecoveryCode,
        USERS,
        lambda code: RecoveryCodeDevice.objects.filter(pk=code.device_id).values_list(
            "user__establishment_id", flat=True
        ),
    )
