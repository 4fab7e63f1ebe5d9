"""Request types the views see, so they need no `type: ignore` for what the middleware attaches."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from espace.accounts.models import User
from espace.establishments.models import Establishment


class AppRequest(HttpRequest):
    """Any request: the user may be anonymous; the establishment is set for client users."""

    user: User | AnonymousUser
    establishment: Establishment | None
    htmx: HtmxDetails


class ClientRequest(HttpRequest):
    """A request that passed `client_required` (or `permission_required`): an active client user."""

    user: User
    establishment: Establishment
    htmx: HtmxDetails


class StaffRequest(HttpRequest):
    """A request that passed `staff_required`: lender staff past the second factor."""

    user: User
    htmx: HtmxDetails
