from django.db import models
from django.utils.translation import gettext_lazy as _


class EstablishmentKind(models.TextChoices):
    SOCIAL_LANDLORD = "social_landlord", _("Organisme de logement social")
    COMMUNE = "commune", _("Commune")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    INTERCOMMUNALITY = "intercommunality", _("Intercommunalité")
    ASSOCIATION = "association", _("Association")
    PUBLIC_HOSPITAL = "public_hospital", _("Établissement public de santé")
    OTHER = "other", _("Autre")


class AuditAction(models.TextChoices):
    ESTABLISHMENTS_IMPORTED = "establishments_imported", _("Établissements importés")
