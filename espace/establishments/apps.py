from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "espace.establishments"
    verbose_name = "Établissements clients"
