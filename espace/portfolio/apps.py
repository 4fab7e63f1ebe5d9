from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.portfolio.enums import AuditAction


class PortfolioConfig(AppConfig):
    name = "espace.portfolio"
    verbose_name = "Encours et échéanciers"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.portfolio.page_versions import portfolio_page_versions_connect  # needs the models

        portfolio_page_versions_connect()
        menu_register(
            MenuEntry(
                Menu.CLIENT,
                40,
                "Encours",
                "portfolio:dashboard",
                pages=("portfolio:*",),
                visible=lambda user: "view_portfolio" in user.permissions,
            )
        )
