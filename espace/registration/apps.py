from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.registration.enums import AuditAction


class RegistrationConfig(AppConfig):
    name = "espace.registration"
    verbose_name = "Inscriptions"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
