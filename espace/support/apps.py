from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.support.enums import AuditAction


class SupportConfig(AppConfig):
    name = "espace.support"
    verbose_name = "Assistance"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
