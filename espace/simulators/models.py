from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from espace.core.models import TimeStampedModel
from espace.simulators.enums import SimulationKind


class Simulation(TimeStampedModel):
    """A simulation saved by a user for their establishment: its inputs, to reopen and recompute.

    Results are not stored: they are recomputed with the current rates and product table.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="simulations"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="simulations")
    kind = models.CharField("outil", max_length=20, choices=SimulationKind.choices)
    name = models.CharField("nom de la simulation", max_length=120)
    params = models.JSONField("paramètres", default=dict)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["establishment", "-updated_at"])]
        verbose_name = "simulation"
        verbose_name_plural = "simulations"

    def __str__(self) -> str:
        return self.name
