from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.loan_requests.enums import AuditAction


class LoanRequestsConfig(AppConfig):
    name = "espace.loan_requests"
    verbose_name = "Demandes de prêt et dossiers"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.loan_requests.page_versions import loan_requests_page_versions_connect  # needs the models

        loan_requests_page_versions_connect()
        readers = {"create_loan_requests", "validate_loan_requests", "view_dossiers"}
        menu_register(
            MenuEntry(
                Menu.CLIENT,
                30,
                "Demandes",
                "loan_requests:list",
                pages=("loan_requests:*",),
                visible=lambda user: bool(readers.intersection(user.permissions)),
            )
        )
