"""When an establishment's policy comes to require a second factor of users already logged in
without one, their next page leads them to « Double authentification » until they enrol: guided,
never locked out, and not only at their next login. No query: django-otp's middleware has read the
session's device already, and the policy is on the establishment the session's user carries.

(Apart from `espace.accounts.middleware`, which the login imports: this one imports the second
factor's rules, which import the login.)"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from espace.accounts.models import User
from espace.accounts.second_factor import second_factor_required

ENROL_NOW = (
    "La politique de sécurité de votre établissement impose désormais la double authentification pour votre "
    "compte : activez-la pour continuer."
)


class SecondFactorPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(request, "establishment", None) is not None
            and isinstance(user, User)
            and not user.is_verified()  # type: ignore[attr-defined]  # set by django-otp's middleware
            and second_factor_required(user)
            and request.path_info not in {reverse("accounts:account_second_factor"), reverse("accounts:logout")}
        ):
            messages.warning(request, ENROL_NOW)
            return redirect("accounts:account_second_factor")
        return self.get_response(request)
