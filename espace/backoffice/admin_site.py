from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class EspaceAdminSite(admin.AdminSite):
    site_header = "Espace Prêts — administration"
    site_title = "Espace Prêts"

    def has_permission(self, request: HttpRequest) -> bool:
        # Staff must have passed the second factor of the back-office entrance.
        user = request.user
        return bool(super().has_permission(request) and getattr(user, "is_verified", lambda: False)())

    def login(self, request: HttpRequest, extra_context: dict[str, object] | None = None) -> HttpResponse:
        return redirect(f"{reverse('backoffice:login')}?next={request.get_full_path()}")
