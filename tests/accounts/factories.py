from __future__ import annotations

from datetime import timedelta

import factory

from espace.accounts.enums import Permission, UserStatus
from espace.accounts.models import User
from espace.core import clock
from tests.establishments.factories import EstablishmentFactory

PASSWORD = "Bonjour-Prets-42"


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
        # The establishment's administrator: every permission.
        admin = factory.Trait(permissions=[p.value for p in Permission])
        # A later user waiting for the administrator's validation (CAS 2).
        pending = factory.Trait(
            status=UserStatus.AWAITING_ADMIN, requested_permissions=[Permission.VIEW_PORTFOLIO.value]
        )
        # A first user waiting for the letter's temporary code (CAS 1).
        awaiting_activation = factory.Trait(
            status=UserStatus.AWAITING_ACTIVATION,
            permissions=[p.value for p in Permission],
            must_change_password=True,
            temporary_code_expires_at=factory.LazyFunction(lambda: clock.now() + timedelta(days=30)),
        )
        deactivated = factory.Trait(status=UserStatus.DEACTIVATED, deactivation_reason="départ")
        staff = factory.Trait(establishment=None, is_staff=True)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
