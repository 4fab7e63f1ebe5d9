from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.letters.enums import AuditAction


class LettersConfig(AppConfig):
    name = "espace.letters"
    verbose_name = "Courriers postaux"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
