from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "espace.support"
    verbose_name = "Assistance"
