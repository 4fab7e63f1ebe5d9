from __future__ import annotations

from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password

from espace.core import clock
from espace.registration.enums import RegistrationKind
from espace.registration.models import Registration
from tests.establishments.factories import EstablishmentFactory


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration in progress (before the 4-digit code), CAS 1 by default."""

    class Meta:
        model = Registration

    establishment = factory.SubFactory(EstablishmentFactory)
    kind = RegistrationKind.ADMINISTRATOR
    username = factory.Sequence(lambda n: f"inscrit{n}")
    first_name = "Pierre"
    last_name = "Durand"
    email = factory.LazyAttribute(lambda r: f"{r.username}@example.org")
    terms_version = factory.LazyFunction(lambda: settings.TERMS_VERSION)
    expires_at = factory.LazyFunction(lambda: clock.now() + settings.REGISTRATION_VALIDITY)

    class Params:
        member = factory.Trait(
            kind=RegistrationKind.MEMBER,
            password_hash=factory.LazyFunction(lambda: make_password("Val-12345-prets")),
            requested_permissions=["view_portfolio"],
        )
        verified = factory.Trait(email_verified_at=factory.LazyFunction(clock.now))
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: clock.now() - timedelta(minutes=1)))
