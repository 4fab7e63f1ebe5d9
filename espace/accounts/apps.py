from django.apps import AppConfig

from espace.accounts.enums import AuditAction
from espace.core.audit_actions import audit_actions_register


class AccountsConfig(AppConfig):
    name = "espace.accounts"
    verbose_name = "Comptes utilisateurs"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
