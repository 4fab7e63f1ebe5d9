from django.db import models


class SimulationKind(models.TextChoices):
    LOAN = "loan", "Simulation de prêt"
    LAND_SHARE = "land_share", "Part foncière"
    BALANCE = "balance", "Équilibre d'opération"


class AuditAction(models.TextChoices):
    SIMULATION_SAVED = "simulation_saved", "Simulation enregistrée"
    SIMULATION_DELETED = "simulation_deleted", "Simulation supprimée"
