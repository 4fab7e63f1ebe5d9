from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "espace.letters"
    verbose_name = "Courriers postaux"
