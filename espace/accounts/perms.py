"""Who may do what in the client space. Checked on the server for every view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from espace.accounts.enums import Permission
from espace.accounts.models import User

View = Callable[..., HttpResponseBase]


def client_required(view: View) -> View:
    """An active user attached to an establishment (lender staff use the back office)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "establishment", None) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def permission_required(*permissions: Permission) -> Callable[[View], View]:
    """The user holds the permission (or one of them, when several are given)."""

    def decorator(view: View) -> View:
        @client_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not isinstance(user, User) or not any(user.has_permission(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
