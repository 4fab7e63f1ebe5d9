from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulationKind(models.TextChoices):
    LOAN = "loan", _("Simulation de prêt")
    LAND_SHARE = "land_share", _("Part foncière")
    BALANCE = "balance", _("Équilibre d'opération")


class AuditAction(models.TextChoices):
    SIMULATION_SAVED = "simulation_saved", _("Simulation enregistrée")
    SIMULATION_DELETED = "simulation_deleted", _("Simulation supprimée")
