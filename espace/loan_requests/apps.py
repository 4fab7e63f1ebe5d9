from django.apps import AppConfig

from espace.core.audit_actions import audit_actions_register
from espace.loan_requests.enums import AuditAction


class LoanRequestsConfig(AppConfig):
    name = "espace.loan_requests"
    verbose_name = "Demandes de prêt et dossiers"

    def ready(self) -> None:
        audit_actions_register(AuditAction)
