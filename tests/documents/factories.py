"""Documents as the import or the service would leave them, resources with a clean version."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import factory
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from espace.core import clock
from espace.core.uploads import ScanStatus
from espace.documents.enums import DocumentKind, Origin, ResourceCategory
from espace.documents.models import DeliberationTemplate, Document, Resource, ResourceVersion
from tests.establishments.factories import EstablishmentFactory


def pdf_bytes(text: str = "") -> bytes:
    """A real one-page PDF (libmagic says application/pdf), distinct per `text`."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class DocumentFactory(factory.django.DjangoModelFactory):
    """An instalment notice sent by the lender, scanned clean."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    establishment = factory.SubFactory(EstablishmentFactory)
    kind = DocumentKind.INSTALMENT_NOTICE
    title = factory.Sequence(lambda n: f"Avis d'échéance n° {n}")
    issued_on = date(2026, 2, 1)
    origin = Origin.IMPORTED
    scan_status = ScanStatus.CLEAN
    file_name = factory.Sequence(lambda n: f"avis-{n}.pdf")
    mime_type = "application/pdf"
    size = 0
    sha256 = ""

    class Params:
        pending = factory.Trait(scan_status=ScanStatus.PENDING)
        made_by_service = factory.Trait(origin=Origin.SERVICE, scan_status="")

    @factory.post_generation
    def content(obj, create, extracted, **kwargs):
        """`DocumentFactory(content=b"…")` stores these bytes (a small PDF by default)."""
        if not create:
            return
        data = extracted if extracted is not None else pdf_bytes(obj.title)
        obj.file.save("document", ContentFile(data), save=False)
        obj.size = len(data)
        obj.sha256 = hashlib.sha256(data).hexdigest()
        if obj.line_id and not obj.contract_id:
            obj.contract_id = obj.line.contract_id
        if not obj.loan_reference and obj.line_id:
            obj.loan_reference = obj.line.number
        obj.save()


class DeliberationTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliberationTemplate

    number = factory.Sequence(lambda n: n + 2)
    title = "Délibération — {{ emprunteur }}"
    body = "# Garantie\n\nMontant : {{ montant }}, quotité : {{ quotite }}, durée : {{ duree }}.\n"
    author_label = "Agent Données"
    created_at = factory.LazyFunction(clock.now)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published Eco-prêt form with one clean version."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Formulaire Eco-prêt {n}")
    category = ResourceCategory.FORM

    @factory.post_generation
    def version(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            ResourceVersionFactory(resource=obj, number=1)


class ResourceVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceVersion
        skip_postgeneration_save = True

    resource = factory.SubFactory(ResourceFactory, version=False)
    number = 1
    file_name = factory.LazyAttribute(lambda v: f"formulaire-v{v.number}.pdf")
    mime_type = "application/pdf"
    size = 0
    scan_status = ScanStatus.CLEAN
    author_label = "Agent Données"

    @factory.post_generation
    def content(obj, create, extracted, **kwargs):
        if not create:
            return
        data = extracted if extracted is not None else pdf_bytes(f"{obj.resource.title} v{obj.number}")
        obj.file.save("ressource", ContentFile(data), save=False)
        obj.size = len(data)
        obj.save()
