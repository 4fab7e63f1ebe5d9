from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.establishments.models import Establishment
from espace.portfolio.models import FinancingLine
from espace.products.models import Product
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory
from tests.portfolio.factories import ContractFactory, LineFactory, plan_disbursements


@dataclass
class World:
    """An OPH with three loans; the commune guarantees two of them and a loan of another OPH."""

    oph: Establishment
    commune: Establishment
    other_commune: Establishment
    other_oph: Establishment
    plus: FinancingLine  # commune 50 % + CGLLS 50 %
    plai: FinancingLine  # commune 100 %, in pre-financing with a disbursement plan
    pls: FinancingLine  # other commune 100 %
    other: FinancingLine  # the other OPH's loan, commune 100 %
    reader: User  # « Consultation des Encours »
    pilot: User  # « Consultation des Encours » + « Pilotage des échéanciers de versement »
    mayor_office: User  # the commune's reader


@pytest.fixture
def world(db, clock) -> World:
    oph = EstablishmentFactory(legal_name="OPH DU RHÔNE", with_office=True)
    commune = EstablishmentFactory(commune=True, legal_name="COMMUNE DE VILLEBOIS")
    other_commune = EstablishmentFactory(commune=True, legal_name="COMMUNE D'AILLEURS")
    other_oph = EstablishmentFactory(legal_name="SA HLM VOISINE")
    contract = ContractFactory(borrower=oph, number="C1000001", signed_on=date(2020, 3, 1))
    plus = LineFactory(
        contract=contract, number="L1000001", guarantors=[(commune, "50"), (None, "50")], principal="1000000.00"
    )
    plai = LineFactory(
        contract=contract,
        number="L1000002",
        product=Product.objects.get(code="plai"),
        principal="400000.00",
        margin="-0.002",
        prefinancing=True,
        guarantors=[(commune, "100")],
    )
    plan_disbursements(plai, ["150000.00", "150000.00", "100000.00"], start=date(2026, 9, 1), drawn=1)
    pls = LineFactory(
        contract=ContractFactory(borrower=oph, number="C1000002"),
        number="L1000003",
        product=Product.objects.get(code="pls"),
        principal="250000.00",
        duration_years=30,
        margin="0.0111",
        guarantors=[(other_commune, "100")],
    )
    other = LineFactory(
        contract__borrower=other_oph, number="L9000001", principal="600000.00", guarantors=[(commune, "100")]
    )
    return World(
        oph=oph,
        commune=commune,
        other_commune=other_commune,
        other_oph=other_oph,
        plus=plus,
        plai=plai,
        pls=pls,
        other=other,
        reader=UserFactory(establishment=oph, permissions=[Permission.VIEW_PORTFOLIO]),
        pilot=UserFactory(
            establishment=oph,
            email="pilote@oph.example.org",
            permissions=[Permission.VIEW_PORTFOLIO, Permission.MANAGE_DISBURSEMENTS],
        ),
        mayor_office=UserFactory(establishment=commune, permissions=[Permission.VIEW_PORTFOLIO]),
    )
