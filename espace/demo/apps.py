from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "espace.demo"
    verbose_name = "Données de démonstration"
