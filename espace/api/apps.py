from django.apps import AppConfig

from espace.api.enums import AuditAction
from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register


class ApiConfig(AppConfig):
    name = "espace.api"
    label = "api"
    verbose_name = "API des établissements"

    def ready(self) -> None:
        from espace.api.token_cache import token_cache_signals_connect  # needs the models

        token_cache_signals_connect()
        audit_actions_register(AuditAction)
        menu_register(
            MenuEntry(
                Menu.CLIENT,
                23,
                "Jetons d'API",
                "api_tokens:list",
                pages=("api_tokens:*",),
                group="Administration",
                visible=lambda user: user.is_establishment_admin,
            )
        )
