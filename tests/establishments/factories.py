from __future__ import annotations

import factory

from espace.establishments.enums import EstablishmentKind
from espace.establishments.models import Establishment, RegionalOffice


class RegionalOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalOffice
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dr-{n}")
    name = factory.Sequence(lambda n: f"Direction régionale {n}")
    email = factory.LazyAttribute(lambda o: f"{o.code}@lender.example.org")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    client_number = factory.Sequence(lambda n: str(100000 + n))
    legal_name = factory.Sequence(lambda n: f"OFFICE PUBLIC HABITAT NUMERO {n}")
    kind = EstablishmentKind.SOCIAL_LANDLORD
    legal_representative_title = "Madame la Directrice générale"
    address_line1 = "1 rue de la République"
    postal_code = "69001"
    city = "Lyon"

    class Params:
        commune = factory.Trait(
            kind=EstablishmentKind.COMMUNE,
            is_borrower=True,
            is_guarantor=True,
            legal_name=factory.Sequence(lambda n: f"COMMUNE NUMERO {n}"),
            legal_representative_title="Monsieur le Maire",
        )
        with_office = factory.Trait(regional_office=factory.SubFactory(RegionalOfficeFactory))
