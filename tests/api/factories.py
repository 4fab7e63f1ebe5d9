from __future__ import annotations

import json
from datetime import date, timedelta

from espace.api.models import ApiToken
from espace.api.services import api_token_create
from espace.core import clock
from espace.establishments.models import Establishment
from espace.loan_requests.models import LoanRequest
from tests.accounts.factories import UserFactory
from tests.loan_requests.factories import LoanRequestFactory


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


def no_floats(text: str):
    """The JSON of an answer, refusing any float (amounts are decimal strings)."""

    def refuse(value):
        raise AssertionError(f"a float in the JSON: {value}")

    return json.loads(text, parse_float=refuse)


def get(client, url, clear, **headers):
    """GET with the token: (response, its JSON or None)."""
    response = client.get(url, **bearer(clear), **headers)
    return response, (no_floats(response.content.decode()) if response.content else None)


def dossier_of(establishment: Establishment, **kwargs) -> LoanRequest:
    """A loan request `establishment` sent (numbered, one guaranteed PLUS line, its documents)."""
    return LoanRequestFactory(establishment=establishment, sent=True, **kwargs)
