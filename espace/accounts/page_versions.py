"""What changes an establishment's cached pages besides its users and its own row (those are in
`session_user`): its users' second factors, shown on the « fiche d'identité » (espace.core.page_cache)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from espace.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from espace.core.page_cache import ESTABLISHMENT, page_cache_depends


def _of_user(user_id: Any) -> Iterable[int | None]:
    return User.objects.filter(pk=user_id).values_list("establishment_id", flat=True)


def accounts_page_versions_connect() -> None:
    """Called by the accounts app's `ready()`."""
    for model in (TOTPDevice, RecoveryCodeDevice, WebAuthnCredential):
        page_cache_depends(model, ESTABLISHMENT, lambda device: _of_user(device.user_id))
    page_cache_depends(
        RecoveryCode,
        ESTABLISHMENT,
        lambda code: RecoveryCodeDevice.objects.filter(pk=code.device_id).values_list(
            "user__establishment_id", flat=True
        ),
    )
