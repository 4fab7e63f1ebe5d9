from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "espace.accounts"
    verbose_name = "Comptes utilisateurs"
