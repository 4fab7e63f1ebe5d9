from __future__ import annotations

from django.db.models import QuerySet

from espace.establishments.models import Establishment
from espace.simulators.models import Simulation


def simulations_of(establishment: Establishment) -> QuerySet[Simulation]:
    """The establishment's saved simulations, newest first (tenant isolation starts here)."""
    return Simulation.objects.filter(establishment=establishment).select_related("author")
