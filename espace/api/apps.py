from django.apps import AppConfig

from espace.api.enums import AuditAction
from espace.core.audit_actions import audit_actions_register


class ApiConfig(AppConfig):
    name = "espace.api"
    label = "api"
    verbose_name = "API des établissements"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
