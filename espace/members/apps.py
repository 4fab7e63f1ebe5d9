from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "espace.members"
    verbose_name = "Administration déléguée"
