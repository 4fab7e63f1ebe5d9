from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from espace.core.models import AuditEvent, NewsItem

if TYPE_CHECKING:  # generic in django-stubs only: Django's ModelAdmin takes no subscript at runtime
    NewsItemAdminBase = admin.ModelAdmin[NewsItem]
    AuditEventAdminBase = admin.ModelAdmin[AuditEvent]
else:
    NewsItemAdminBase = AuditEventAdminBase = admin.ModelAdmin


@admin.register(NewsItem)
class NewsItemAdmin(NewsItemAdminBase):
    list_display = ["title", "published", "created_at"]
    list_filter = ["published"]
    search_fields = ["title", "body"]


@admin.register(AuditEvent)
class AuditEventAdmin(AuditEventAdminBase):
    """Staff see every row; nobody edits or deletes one."""

    list_display = ["occurred_at", "action", "actor_label", "establishment", "target_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target_label", "=establishment__client_number"]
    list_select_related = ["establishment"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
