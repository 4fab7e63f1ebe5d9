from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.simulators.enums import AuditAction


class SimulatorsConfig(AppConfig):
    name = "espace.simulators"
    verbose_name = "Outils et simulateurs"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        for menu in (Menu.CLIENT, Menu.PUBLIC):
            menu_register(
                MenuEntry(
                    menu, 60 if menu == Menu.CLIENT else 20, "Outils", "simulators:index", pages=("simulators:*",)
                )
            )
