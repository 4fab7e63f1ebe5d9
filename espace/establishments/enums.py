from django.db import models


class EstablishmentKind(models.TextChoices):
    SOCIAL_LANDLORD = "social_landlord", "Organisme de logement social"
    COMMUNE = "commune", "Commune"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    INTERCOMMUNALITY = "intercommunality", "Intercommunalité"
    ASSOCIATION = "association", "Association"
    PUBLIC_HOSPITAL = "public_hospital", "Établissement public de santé"
    OTHER = "other", "Autre"


class SecondFactorPolicy(models.TextChoices):
    """« Double authentification » in the establishment's security policy."""

    OPTIONAL = "optional", "Facultative : chaque utilisateur peut l'activer depuis « Mon compte »"
    PRIVILEGED = "privileged", "Obligatoire pour les validateurs et les administrateurs"
    ALL = "all", "Obligatoire pour tous les utilisateurs"


class AuditAction(models.TextChoices):
    ESTABLISHMENTS_IMPORTED = "establishments_imported", "Établissements importés"
