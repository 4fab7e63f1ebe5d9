"""Loan requests: a draft, a complete draft (every step filled, balanced, guaranteed, documents
given), a sent dossier."""

from __future__ import annotations

from decimal import Decimal

import factory

from espace.accounts.enums import Permission
from espace.core import clock
from espace.core.uploads import ScanStatus
from espace.loan_requests.enums import FileKind, RequestKind, RequestStatus
from espace.loan_requests.models import (
    DossierFile,
    DwellingGroup,
    LoanRequest,
    PlannedGuarantee,
    RequestLine,
    RequiredDocument,
)
from espace.loan_requests.steps import required_documents
from espace.portfolio.enums import GuarantorKind
from espace.products.models import Product
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory, RegionalOfficeFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class LoanRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanRequest
        skip_postgeneration_save = True

    establishment = factory.SubFactory(EstablishmentFactory, with_office=True)
    kind = RequestKind.HOUSING
    name = factory.Sequence(lambda n: f"{20 + n} logements rue des Tanneurs")
    created_by = factory.SubFactory(
        UserFactory,
        establishment=factory.SelfAttribute("..establishment"),
        permissions=[Permission.CREATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS],
    )
    updated_by = factory.SelfAttribute("created_by")

    class Params:
        # Every step complete: operation, dwellings, balanced plan, a guaranteed PLUS line, documents.
        complete = factory.Trait(
            nature="new_build",
            address="12 rue des Tanneurs",
            postal_code="69002",
            commune="Lyon",
            insee_code="69382",
            zone="B1",
            land_cost=Decimal("200000.00"),
            building_cost=Decimal("900000.00"),
            fees_cost=Decimal("100000.00"),
            subsidies_state=Decimal("100000.00"),
            own_funds=Decimal("100000.00"),
        )
        # Sent by a validator: a dossier of the establishment's regional office.
        sent = factory.Trait(
            complete=True,
            status=RequestStatus.SENT,
            dossier_number=factory.Sequence(lambda n: f"DP-2026-{900000 + n:06d}"),
            sent_at=factory.LazyFunction(clock.now),
            sent_by=factory.SelfAttribute("created_by"),
            regional_office=factory.LazyAttribute(lambda o: o.establishment.regional_office or RegionalOfficeFactory()),
        )

    @factory.post_generation
    def contents(obj, create, extracted, **kwargs):
        if create and obj.land_cost is not None:
            request_fill(obj)


def request_fill(loan_request: LoanRequest) -> None:
    """Dwellings, one PLUS line of 1,000,000 € guaranteed by a commune, every required document."""
    DwellingGroup.objects.create(request=loan_request, category="PLUS", count=20, surface_m2=Decimal("1300"))
    line = RequestLine.objects.create(
        request=loan_request,
        product=Product.objects.get(code="plus"),
        amount=Decimal("1000000.00"),
        duration_years=40,
        prefinancing_months=12,
        prefinancing_mode="paid",
        profile="echeance_prioritaire",
        periodicity="annual",
        revision="simple",
    )
    PlannedGuarantee.objects.create(
        line=line,
        kind=GuarantorKind.ESTABLISHMENT,
        guarantor=EstablishmentFactory(commune=True),
        share_percent=Decimal(100),
    )
    for document in required_documents(loan_request):
        DossierFileFactory(request=loan_request, required_document=document)


class DossierFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierFile

    request = factory.SubFactory(LoanRequestFactory)
    kind = FileKind.REQUIRED
    required_document = factory.LazyFunction(lambda: RequiredDocument.objects.first())
    file = factory.django.FileField(filename="document.pdf", data=PDF)
    name = "document.pdf"
    mime_type = "application/pdf"
    size = len(PDF)
    scan = ScanStatus.CLEAN
    uploaded_by = factory.SelfAttribute("request.created_by")
