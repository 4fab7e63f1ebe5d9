from __future__ import annotations

from datetime import timedelta

import factory
from django.core.files.base import ContentFile

from espace.core import clock
from espace.letters.enums import LetterStatus
from espace.letters.models import Letter
from tests.accounts.factories import UserFactory


class LetterFactory(factory.django.DjangoModelFactory):
    """A letter to the legal representative of the account holder's establishment."""

    class Meta:
        model = Letter
        skip_postgeneration_save = True

    account_holder = factory.SubFactory(UserFactory, awaiting_activation=True)
    establishment = factory.LazyAttribute(lambda o: o.account_holder.establishment)
    address_lines = factory.LazyAttribute(lambda o: o.establishment.address_lines)
    code_expires_at = factory.LazyFunction(lambda: clock.now() + timedelta(days=30))

    class Params:
        exported = factory.Trait(status=LetterStatus.EXPORTED, exported_at=factory.LazyFunction(clock.now))
        returned = factory.Trait(status=LetterStatus.RETURNED, exported_at=factory.LazyFunction(clock.now))

    @factory.post_generation
    def pdf_bytes(obj, create, extracted, **kwargs):
        """`LetterFactory(pdf_bytes=b"%PDF…")` stores a PDF file for the letter."""
        if create and extracted:
            obj.pdf.save(f"{obj.reference}.pdf", ContentFile(extracted), save=True)
