"""The staff entrance: staff account + second factor, then a back-office permission per action."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from espace.backoffice.enums import StaffPermission

View = Callable[..., HttpResponseBase]


def staff_required(permission: StaffPermission | None = None) -> Callable[[View], View]:
    """Lender staff past the second factor; with `permission`, holding it through a role."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect(f"{reverse('backoffice:login')}?next={request.get_full_path()}")
            if not user.is_staff:
                raise PermissionDenied
            if not getattr(user, "is_verified", lambda: False)():
                return redirect(f"{reverse('backoffice:login')}?next={request.get_full_path()}")
            if permission is not None and not user.has_perm(permission.perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def technical_admin_allowed(user: Any) -> bool:
    """The Django admin (« Administration technique ») shows only the models one may change: it is
    offered to a staff member holding a right beyond the back office's own."""
    if not (user.is_authenticated and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return any(not permission.startswith("backoffice.") for permission in user.get_all_permissions())
