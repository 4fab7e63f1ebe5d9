from __future__ import annotations

from datetime import date, timedelta

from espace.api.models import ApiToken
from espace.api.services import api_token_create
from espace.core import clock
from espace.establishments.models import Establishment
from tests.accounts.factories import UserFactory


def issue_token(
    establishment: Establishment,
    *,
    scopes: tuple[str, ...] = ("portfolio",),
    admin=None,
    expires_on: date | None = None,
    networks: tuple[str, ...] = (),
    name: str = "Logiciel financier",
) -> tuple[ApiToken, str]:
    """A token issued by an administrator of `establishment` (made when not given): (token, clear)."""
    admin = admin or UserFactory(establishment=establishment, admin=True)
    issued = api_token_create(
        establishment=establishment,
        created_by=admin,
        name=name,
        scopes=list(scopes),
        expires_on=expires_on or clock.today() + timedelta(days=90),
        allowed_networks=list(networks),
    )
    return issued.token, issued.clear


def bearer(clear: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}
