from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.core.panels import panel_register
from espace.documents.enums import AuditAction


class DocumentsConfig(AppConfig):
    name = "espace.documents"
    verbose_name = "Documents et ressources"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.documents.page_versions import (  # needs the models
            DOCUMENTS,
            RESOURCES,
            documents_page_versions_connect,
        )

        documents_page_versions_connect()
        # The loan page shows the line's documents and its deliberation templates, the dossier page
        # the dossier's documents (by path: panels read models, not loaded when this runs).
        panel_register(
            "portfolio.line", "espace.documents.panels.line_documents_panel", scopes=(DOCUMENTS,), shared=(RESOURCES,)
        )
        panel_register("loan_requests.dossier", "espace.documents.panels.dossier_documents_panel", scopes=(DOCUMENTS,))
        menu_register(
            MenuEntry(
                Menu.CLIENT,
                50,
                "Documents",
                "documents:library",
                pages=("documents:*",),
                visible=lambda user: "view_documents" in user.permissions,
            )
        )
