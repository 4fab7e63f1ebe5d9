from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "espace.backoffice"
    verbose_name = "Back-office du prêteur"
