from django.apps import AppConfig

from espace.accounts.enums import AuditAction
from espace.core.audit_actions import audit_actions_register
from espace.core.navigation import Menu, MenuEntry, menu_register


class AccountsConfig(AppConfig):
    name = "espace.accounts"
    verbose_name = "Comptes utilisateurs"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
        from espace.accounts.page_versions import accounts_page_versions_connect  # needs the models
        from espace.accounts.session_user import session_user_signals_connect

        session_user_signals_connect()
        accounts_page_versions_connect()
        menu_register(
            MenuEntry(Menu.CLIENT, 10, "Accueil", "accounts:home", pages=("accounts:home",)),
            MenuEntry(
                Menu.CLIENT,
                80,
                "Mon compte",
                "accounts:account",
                pages=tuple(
                    f"accounts:{name}"
                    for name in ("account", "account_password", "account_email", "account_email_code", "my_permissions")
                ),
            ),
            MenuEntry(Menu.PUBLIC, 50, "Connexion", "accounts:login", pages=("accounts:login",)),
        )
