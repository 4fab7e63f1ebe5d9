from typing import Any

from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.home_notices import home_notice_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.members.enums import AuditAction


class MembersConfig(AppConfig):
    name = "espace.members"
    verbose_name = "Administration déléguée"

    def ready(self) -> None:
        audit_actions_register(AuditAction)

        def administrator(user: Any) -> bool:
            return bool(user.is_establishment_admin)

        def entry(order: int, label: str, url_name: str, *pages: str) -> MenuEntry:
            return MenuEntry(
                Menu.CLIENT, order, label, url_name, pages=pages, group="Administration", visible=administrator
            )

        from espace.members.page_versions import members_page_versions_connect  # needs the models, ready only now
        from espace.members.review import review_home_notice

        home_notice_register(review_home_notice)
        members_page_versions_connect()
        menu_register(
            entry(20, "Liste des utilisateurs", "members:list", "members:list", "members:card"),
            entry(21, "Revue des accès", "members:review", "members:review"),
            entry(22, "Journal des actions", "members:journal", "members:journal"),
            entry(23, "Paramètres de l'établissement", "members:settings", "members:settings"),
        )
