from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.notifications.enums import AuditAction


class NotificationsConfig(AppConfig):
    name = "espace.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
