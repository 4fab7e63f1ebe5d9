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


class AuditAction(models.TextChoices):
    ESTABLISHMENTS_IMPORTED = "establishments_imported", "Établissements importés"
