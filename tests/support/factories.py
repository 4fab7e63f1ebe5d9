from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from espace.core.uploads import ScanStatus
from espace.support.enums import ContactStatus, ContactSubject, Team
from espace.support.models import ContactRequest


class ContactRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRequest
        skip_postgeneration_save = True

    subject = ContactSubject.LETTER_NOT_RECEIVED
    team = Team.ASSISTANCE
    message = "Le courrier n'est jamais arrivé."
    sender_name = "Pierre Durand"
    sender_email = "p@example.org"
    reference = factory.Sequence(lambda n: f"AS-2026-{n + 1:06d}")

    class Params:
        regional = factory.Trait(subject=ContactSubject.FINANCIAL_TERMS, team=Team.REGIONAL_OFFICE)
        answered = factory.Trait(status=ContactStatus.ANSWERED)
        closed = factory.Trait(status=ContactStatus.CLOSED)

    @factory.post_generation
    def attachment_bytes(obj, create, extracted, **kwargs):
        """`ContactRequestFactory(attachment_bytes=b"%PDF…")` attaches a clean-scanned file."""
        if create and extracted:
            obj.attachment.save("piece-jointe", ContentFile(extracted), save=False)
            obj.attachment_name = "piece.pdf"
            obj.attachment_scan = ScanStatus.CLEAN
            obj.save()
