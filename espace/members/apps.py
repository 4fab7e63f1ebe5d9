from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.members.enums import AuditAction


class MembersConfig(AppConfig):
    name = "espace.members"
    verbose_name = "Administration déléguée"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
