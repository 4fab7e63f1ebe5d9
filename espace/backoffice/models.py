from django.db import models


class BackOfficeAccess(models.Model):
    """No table: carries the back-office permissions that the staff roles (groups) hold."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_establishments", "Consulter les établissements et leurs utilisateurs"),
            ("assist_users", "Assister les utilisateurs (courriers, identifiants, déblocage, désactivation)"),
            ("manage_letters", "Gérer les courriers au représentant légal"),
            ("answer_contact_requests", "Répondre aux demandes de contact"),
            ("review_loan_requests", "Instruire les demandes de prêt"),
            ("manage_registry", "Charger le référentiel clients et le portefeuille"),
        ]

    def __str__(self) -> str:
        return "Accès back-office"


STAFF_ROLES = {
    "Assistance": ["view_establishments", "assist_users", "manage_letters", "answer_contact_requests"],
    "Chargé de prêts": ["view_establishments", "answer_contact_requests", "review_loan_requests"],
    "Gestionnaire de données": ["view_establishments", "manage_letters", "manage_registry"],
}
