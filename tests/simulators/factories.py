from __future__ import annotations

import factory

from espace.simulators.enums import SimulationKind
from espace.simulators.models import Simulation
from tests.accounts.factories import UserFactory

LOAN_PARAMS = {
    "product": "plus",
    "amount": "1000000",
    "duration_years": "40",
    "profile": "echeance_prioritaire",
    "periodicity": "annual",
    "revision": "simple",
    "first_due": "2027-12-01",
}


class SimulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Simulation

    author = factory.SubFactory(UserFactory)
    establishment = factory.LazyAttribute(lambda o: o.author.establishment)
    kind = SimulationKind.LOAN
    name = factory.Sequence(lambda n: f"Simulation {n}")
    params = factory.LazyFunction(lambda: dict(LOAN_PARAMS))

    class Params:
        land_share = factory.Trait(
            kind=SimulationKind.LAND_SHARE,
            params={
                "product": "plus",
                "mode": "costs",
                "land_cost": "450000",
                "building_cost": "2190000",
                "fees": "360000",
                "subsidies": "360000",
                "loan_amount": "2000000",
                "building_years": "40",
                "land_years": "50",
                "first_due": "2027-12-01",
            },
        )
