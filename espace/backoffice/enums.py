from django.db import models


class StaffPermission(models.TextChoices):
    """What a lender staff role may do in the back office (held by the roles, i.e. Django groups)."""

    # Plain labels: Django's permission table stores them when models load, before translations exist.
    VIEW_ESTABLISHMENTS = "view_establishments", "Consulter les établissements et leurs utilisateurs"
    ASSIST_USERS = "assist_users", "Assister les utilisateurs (courriers, identifiants, déblocage, désactivation)"
    MANAGE_LETTERS = "manage_letters", "Gérer les courriers au représentant légal"
    ANSWER_CONTACT_REQUESTS = "answer_contact_requests", "Répondre aux demandes de contact"
    REVIEW_LOAN_REQUESTS = "review_loan_requests", "Instruire les demandes de prêt"
    MANAGE_REGISTRY = "manage_registry", "Charger le référentiel clients et le portefeuille"
    REVIEW_ALL_OFFICES = "review_all_offices", "Instruire les dossiers de toutes les directions régionales"
    MANAGE_RESOURCES = (
        "manage_resources",
        "Gérer les ressources (modèles de délibération, formulaires, fiches produits)",
    )

    @property
    def perm(self) -> str:
        """The name Django's permission checks use."""
        return f"backoffice.{self.value}"


class AuditAction(models.TextChoices):
    LETTER_REGENERATED = "letter_regenerated", "Courrier regénéré"
    SUCCESSION_STARTED = "succession_started", "Succession d'administrateur"
    STAFF_OTP_FAILED = "staff_otp_failed", "Second facteur erroné"
    STAFF_OTP_ENROLLED = "staff_otp_enrolled", "Second facteur enregistré"
    STAFF_ENROLMENT_LINK_CREATED = "staff_enrolment_link_created", "Lien d'enrôlement créé"
    STAFF_RECOVERY_CODES_ISSUED = "staff_recovery_codes_issued", "Codes de secours renouvelés"
