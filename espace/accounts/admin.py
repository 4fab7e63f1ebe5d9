from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from espace.accounts.models import LoginGuard, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "establishment", "status", "is_staff", "last_login"]
    list_filter = ["status", "is_staff"]
    search_fields = ["username", "last_name", "email", "=establishment__client_number"]
    ordering = ["username"]
    list_select_related = ["establishment"]
    readonly_fields = ["public_id", "date_joined", "last_login", "activated_at", "temporary_code_expires_at"]
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        ("Identité", {"fields": ("first_name", "last_name", "email", "phone", "job_title")}),
        ("Établissement", {"fields": ("establishment", "status", "permissions", "requested_permissions")}),
        ("Équipe du prêteur", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "activated_at", "last_login", "temporary_code_expires_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "password1", "password2", "is_staff")}),
    )


@admin.register(LoginGuard)
class LoginGuardAdmin(admin.ModelAdmin):
    list_display = ["identifier", "failures", "locked_until", "requires_reset"]
    search_fields = ["identifier"]
