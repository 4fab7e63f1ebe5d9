from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.portfolio.enums import AuditAction


class PortfolioConfig(AppConfig):
    name = "espace.portfolio"
    verbose_name = "Encours et échéanciers"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
