from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.enums import AuditAction


class CoreConfig(AppConfig):
    name = "espace.core"
    verbose_name = "Noyau"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.core.page_versions import core_page_versions_connect  # needs the models

        core_page_versions_connect()
