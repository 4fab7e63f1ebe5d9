from __future__ import annotations

import factory

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.establishments.enums import EstablishmentKind
from espace.establishments.models import Establishment

PASSWORD = "Bonjour-Prets-42"


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    establishment = factory.SubFactory(EstablishmentFactory)
    status = UserStatus.ACTIVE
    permissions: list[str] = []
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        admin = factory.Trait(permissions=[p.value for p in Permission])

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
