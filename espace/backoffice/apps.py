from django.apps import AppConfig

from espace.backoffice.enums import AuditAction
from espace.core.audit_actions import audit_actions_register


class BackofficeConfig(AppConfig):
    name = "espace.backoffice"
    verbose_name = "Back-office du prêteur"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
