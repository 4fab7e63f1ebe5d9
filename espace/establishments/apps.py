from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.establishments.enums import AuditAction


class EstablishmentsConfig(AppConfig):
    name = "espace.establishments"
    verbose_name = "Établissements clients"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.establishments.page_versions import establishments_page_versions_connect  # needs the models

        establishments_page_versions_connect()
