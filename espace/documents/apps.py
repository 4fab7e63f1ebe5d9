from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.documents.enums import AuditAction
from espace.portfolio.panels import line_panel_register


class DocumentsConfig(AppConfig):
    name = "espace.documents"
    verbose_name = "Documents et ressources"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        # The loan page shows the line's documents and its deliberation templates (by path: the
        # panel reads models, which are not loaded when this module is imported).
        line_panel_register("espace.documents.panels.line_documents_panel")
