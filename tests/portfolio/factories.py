"""Contracts and lines as the daily import would leave them: terms, engine schedule rows, the
figures on the line as of `figures_on`, guarantees and a disbursement plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import factory

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.core import clock
from espace.establishments.models import Establishment
from espace.finance import Periodicity, Profile, Revision
from espace.finance.dates import add_months
from espace.portfolio.contracts import line_rows_write
from espace.portfolio.enums import (
    DisbursementStatus,
    GuarantorKind,
    ImportStatus,
    LineStatus,
    ScheduleSource,
    StatementStatus,
)
from espace.portfolio.models import (
    Contract,
    DisbursementChangeRequest,
    FinancingLine,
    Guarantee,
    GuaranteedDebtStatement,
    ImportRun,
    PlannedDisbursement,
)
from espace.products.enums import RateIndex
from espace.products.models import Product
from espace.products.selectors import livret_a_history
from tests.accounts.factories import UserFactory
from tests.establishments.factories import EstablishmentFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"C{5000000 + n}")
    borrower = factory.SubFactory(EstablishmentFactory)
    signed_on = date(2020, 3, 1)


def line_compute(line: FinancingLine, *, on: date) -> FinancingLine:
    """Write the engine's rows for `line` and the figures as of `on` (what the import does)."""
    line.refresh_from_db()  # typed values (Decimal, date) whatever the factory was given
    return line_rows_write(line, livret_a_history(), on=on)


class LineFactory(factory.django.DjangoModelFactory):
    """A PLUS line at Livret A + 0.60 %, 40 years, annual, first instalment 2021-03-01, computed
    as of today."""

    class Meta:
        model = FinancingLine
        skip_postgeneration_save = True

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: f"L{7000000 + n}")
    product = factory.LazyFunction(lambda: Product.objects.get(code="plus"))
    principal = Decimal("1000000.00")
    periodicity = Periodicity.ANNUAL.value
    duration_years = 40
    first_due = date(2021, 3, 1)
    profile = Profile.ECHEANCE_PRIORITAIRE.value
    margin = Decimal("0.006")
    status = "repayment"
    figures_on = factory.LazyFunction(clock.today)
    outstanding = Decimal(0)
    maturity_date = date(2060, 3, 1)

    class Params:
        # A line still waiting for funds: first instalment in 18 months.
        prefinancing = factory.Trait(
            first_due=factory.LazyFunction(lambda: add_months(clock.today(), 18)),
            prefinancing_months=24,
            prefinancing_mode="paid",
        )

    @factory.post_generation
    def computed(obj, create, extracted, **kwargs):
        if create:
            line_compute(obj, on=obj.figures_on)

    @factory.post_generation
    def guarantors(obj, create, extracted, **kwargs):
        """guarantors=[(establishment | None for the CGLLS, share_percent), …]"""
        for guarantor, share in extracted or []:
            Guarantee.objects.create(
                line=obj,
                kind=GuarantorKind.CGLLS if guarantor is None else GuarantorKind.ESTABLISHMENT,
                guarantor=guarantor,
                share_percent=Decimal(share),
                deliberation_reference="DEL-2020-12",
                deliberation_date=date(2020, 1, 15),
            )


def plan_disbursements(line: FinancingLine, amounts: list[str], *, start: date, drawn: int = 0) -> None:
    """A disbursement plan of `amounts`, every three months from `start`; the first `drawn` paid."""
    for index, amount in enumerate(amounts):
        planned_on = start + timedelta(days=91 * index)
        PlannedDisbursement.objects.create(
            line=line,
            planned_on=planned_on,
            amount=Decimal(amount),
            status=DisbursementStatus.DRAWN if index < drawn else DisbursementStatus.PLANNED,
            drawn_on=planned_on if index < drawn else None,
        )


def _stored(items: list[PlannedDisbursement], shift_days: int = 0) -> list[dict[str, str | int]]:
    return [
        {
            "id": item.pk,
            "planned_on": (item.planned_on + timedelta(days=shift_days)).isoformat(),
            "amount": str(item.amount),
        }
        for item in items
    ]


class DisbursementChangeFactory(factory.django.DjangoModelFactory):
    """A pending request moving each planned disbursement of a pre-financing line 30 days later
    (the line gets a plan of two disbursements from two months ahead if it has none)."""

    class Meta:
        model = DisbursementChangeRequest

    line = factory.SubFactory(LineFactory, prefinancing=True)
    requested_by = factory.SubFactory(
        UserFactory,
        establishment=factory.SelfAttribute("..line.contract.borrower"),
        permissions=[Permission.VIEW_PORTFOLIO, Permission.MANAGE_DISBURSEMENTS],
    )
    reason = "Décalage du chantier"
    proposal: list = []
    previous: list = []

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        line = kwargs["line"]
        if not line.disbursements.exists():
            plan_disbursements(line, ["600000.00", "400000.00"], start=clock.today() + timedelta(days=60))
        planned = list(line.disbursements.filter(status=DisbursementStatus.PLANNED).order_by("planned_on", "pk"))
        kwargs["previous"] = kwargs["previous"] or _stored(planned)
        kwargs["proposal"] = kwargs["proposal"] or _stored(planned, shift_days=30)
        return super()._create(model_class, *args, **kwargs)


class GuaranteedDebtStatementFactory(factory.django.DjangoModelFactory):
    """A statement already made (status READY, a small PDF stored)."""

    class Meta:
        model = GuaranteedDebtStatement

    guarantor = factory.SubFactory(EstablishmentFactory, commune=True)
    year = factory.LazyFunction(lambda: clock.today().year - 1)
    requested_by = factory.SubFactory(UserFactory, establishment=factory.SelfAttribute("..guarantor"))
    status = StatementStatus.READY
    pdf = factory.django.FileField(filename="etat.pdf", data=b"%PDF-1.4 test")


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    started_at = factory.LazyFunction(clock.now)
    finished_at = factory.LazyFunction(clock.now)
    source = "var/imports/2026-11-25"
    status = ImportStatus.DONE_WITH_ERRORS
    counts = factory.LazyFunction(lambda: {"contracts": {"created": 1, "updated": 0, "unchanged": 0, "refused": 1}})
    errors = factory.LazyFunction(lambda: [{"file": "lines.csv", "line": 3, "reason": "Produit inconnu : XYZ."}])
    reconciliation = factory.LazyFunction(list)


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


def portfolio_world(*, plan_start: date) -> World:
    """The world above; the PLAI's three disbursements every 91 days from `plan_start`, the first drawn."""
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
    plan_disbursements(plai, ["150000.00", "150000.00", "100000.00"], start=plan_start, drawn=1)
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


# Factories of the import's tests: a line without rows unless `with_schedule`.


def _product(code: str) -> Product:
    # Products come with the migrations (and the `reference_data` fixture for transactional tests).
    return Product.objects.get(code=code)


def build_schedule(line: FinancingLine, create: bool, extracted: object, **kwargs: object) -> None:
    """The line's rows through the engine, `paid` up to `figures_on`, and its figures as of that day."""
    if create:
        line.schedule_source = ScheduleSource.ENGINE
        line_rows_write(line, livret_a_history(), on=line.figures_on)


class FinancingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancingLine
        skip_postgeneration_save = True

    contract = factory.SubFactory(ContractFactory)
    number = factory.LazyAttributeSequence(lambda o, n: f"{o.contract.number}-{n}")
    product = factory.LazyFunction(lambda: _product("plus"))
    principal = Decimal("1000000.00")
    periodicity = Periodicity.ANNUAL
    duration_years = 40
    first_due = date(2025, 3, 1)
    profile = Profile.ECHEANCE_PRIORITAIRE
    progression = Decimal(0)
    rate_index = RateIndex.LIVRET_A
    margin = Decimal("0.006")
    fixed_rate = None
    revision = Revision.SIMPLE
    status = LineStatus.REPAYMENT
    schedule_source = ScheduleSource.ENGINE
    figures_on = date(2026, 11, 23)
    outstanding = factory.SelfAttribute("principal")
    maturity_date = factory.LazyAttribute(lambda o: date(o.first_due.year + o.duration_years - 1, o.first_due.month, 1))
    next_due_date = None
    next_instalment = None

    class Params:
        # Rows from the engine and the figures they give as of `figures_on`.
        with_schedule = factory.Trait(schedule=factory.PostGeneration(build_schedule))
        # Signed recently: drawn during 12 months of pre-financing before a first instalment in 2028.
        in_prefinancing = factory.Trait(
            first_due=date(2028, 3, 1),
            prefinancing_months=12,
            prefinancing_mode="paid",
            status=LineStatus.PREFINANCING,
        )
        fixed = factory.Trait(rate_index=RateIndex.FIXED, fixed_rate=Decimal("0.031"), margin=Decimal(0))
        local_public_sector = factory.Trait(product=factory.LazyFunction(lambda: _product("psp")), duration_years=30)


class GuaranteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guarantee

    line = factory.SubFactory(FinancingLineFactory)
    kind = GuarantorKind.ESTABLISHMENT
    guarantor = factory.SubFactory(EstablishmentFactory, commune=True)
    share_percent = Decimal(100)
    deliberation_reference = factory.Sequence(lambda n: f"DCM-2024-{n:03d}")
    deliberation_date = date(2024, 2, 1)

    class Params:
        cglls = factory.Trait(
            kind=GuarantorKind.CGLLS, guarantor=None, deliberation_reference="", deliberation_date=None
        )


class PlannedDisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlannedDisbursement

    line = factory.SubFactory(FinancingLineFactory, in_prefinancing=True)
    planned_on = date(2027, 6, 1)
    amount = Decimal("250000.00")
    status = DisbursementStatus.PLANNED
    drawn_on = None

    class Params:
        drawn = factory.Trait(planned_on=date(2026, 6, 1), status=DisbursementStatus.DRAWN, drawn_on=date(2026, 6, 3))
