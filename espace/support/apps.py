from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register
from espace.support.enums import AuditAction


class SupportConfig(AppConfig):
    name = "espace.support"
    verbose_name = "Assistance"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        faq, contact = ("support:faq",), ("support:contact", "support:contact_sent")
        menu_register(
            MenuEntry(Menu.CLIENT, 70, "FAQ", "support:faq", pages=faq, group="Aide"),
            MenuEntry(Menu.CLIENT, 71, "Contact", "support:contact", pages=contact, group="Aide"),
            MenuEntry(Menu.PUBLIC, 30, "FAQ", "support:faq", pages=faq),
            MenuEntry(Menu.PUBLIC, 40, "Contact", "support:contact", pages=contact),
        )
