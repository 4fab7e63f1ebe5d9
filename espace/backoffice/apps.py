from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

from espace.backoffice.enums import AuditAction
from espace.backoffice.perms import technical_admin_allowed
from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register


class BackofficeConfig(AppConfig):
    name = "espace.backoffice"
    verbose_name = "Back-office du prêteur"

    def ready(self) -> None:
        audit_actions_register(AuditAction)

        def holds(permission: str) -> Callable[[Any], bool]:
            return lambda user: bool(user.has_perm(f"backoffice.{permission}"))

        def pages(*names: str) -> tuple[str, ...]:
            return tuple(f"backoffice:{name}" for name in names)

        menu_register(
            MenuEntry(
                Menu.STAFF, 10, "Établissements", "backoffice:dashboard", pages=pages("dashboard", "establishment")
            ),
            MenuEntry(Menu.STAFF, 20, "Courriers", "backoffice:letters", pages=pages("letters")),
            MenuEntry(Menu.STAFF, 30, "Demandes", "backoffice:contacts", pages=pages("contacts", "contact")),
            MenuEntry(
                Menu.STAFF,
                40,
                "Dossiers",
                "backoffice:dossiers",
                pages=pages("dossiers", "dossier"),
                visible=holds("review_loan_requests"),
            ),
            MenuEntry(
                Menu.STAFF,
                50,
                "Versements",
                "backoffice:disbursements",
                pages=pages("disbursements", "disbursement"),
                visible=holds("review_loan_requests"),
            ),
            MenuEntry(
                Menu.STAFF,
                60,
                "Imports",
                "backoffice:imports",
                pages=pages("imports", "import"),
                visible=holds("manage_registry"),
            ),
            MenuEntry(
                Menu.STAFF,
                70,
                "Ressources",
                "backoffice:resources",
                pages=pages("resources", "deliberation_edit", "deliberation_version", "resource_new", "resource"),
                visible=holds("manage_resources"),
            ),
            MenuEntry(Menu.STAFF, 80, "Mon second facteur", "backoffice:second_factor", pages=pages("second_factor")),
            MenuEntry(Menu.STAFF, 90, "Administration technique", "admin:index", visible=technical_admin_allowed),
        )
