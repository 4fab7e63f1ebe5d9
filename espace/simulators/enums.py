from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulationKind(models.TextChoices):
    LOAN = "loan", _("Simulation de prêt")
    LAND_SHARE = "land_share", _("Part foncière")
    BALANCE = "balance", _("Équilibre d'opération")


class Scenario(models.TextChoices):
    """Livret A paths compared side by side."""

    STABLE = "stable", _("Livret A stable")
    UP = "up", _("Livret A +1 point")
    DOWN = "down", _("Livret A −1 point")
    CUSTOM = "custom", _("Trajectoire saisie")


class AuditAction(models.TextChoices):
    SIMULATION_SAVED = "simulation_saved", _("Simulation enregistrée")
    SIMULATION_DELETED = "simulation_deleted", _("Simulation supprimée")
