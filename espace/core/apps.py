from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "espace.core"
    verbose_name = "Noyau"
