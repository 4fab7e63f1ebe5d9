"""Factories of the portfolio: contracts, financing lines (with their schedule on demand), guarantees, plans.

`FinancingLineFactory(with_schedule=True)` builds the line's schedule rows through the engine
(`espace.portfolio.engine.line_schedule`, the database's Livret A) and sets its figures as of
`figures_on` with `line_figures`, exactly as the import does. Without the trait a line has no
rows and figures that merely look plausible (outstanding = principal).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from espace.finance import Periodicity, Profile, Revision
from espace.portfolio.engine import line_figures, line_schedule
from espace.portfolio.enums import DisbursementStatus, GuarantorKind, LineStatus, ScheduleSource
from espace.portfolio.models import Contract, FinancingLine, Guarantee, PlannedDisbursement, ScheduleRow
from espace.products.enums import RateIndex
from espace.products.models import Product
from espace.products.selectors import livret_a_history
from tests.establishments.factories import EstablishmentFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"CT-2024-{n:05d}")
    borrower = factory.SubFactory(EstablishmentFactory)
    signed_on = date(2024, 3, 15)
    dossier_number = ""


def _product(code: str) -> Product:
    # Products come with the migrations (and the `reference_data` fixture for transactional tests).
    return Product.objects.get(code=code)


def build_schedule(line: FinancingLine, create: bool, extracted: object, **kwargs: object) -> None:
    """The line's rows through the engine, `paid` up to `figures_on`, and its figures as of that day."""
    if not create:
        return
    rows = line_schedule(line, livret_a_history()).rows
    ScheduleRow.objects.bulk_create(
        ScheduleRow(
            line=line,
            number=row.number,
            due_date=row.due_date,
            rate=row.rate,
            instalment=row.instalment,
            interest=row.interest,
            capital=row.capital,
            outstanding_after=row.outstanding_after,
            deferred_interest=row.deferred_interest,
            paid=row.due_date <= line.figures_on,
        )
        for row in rows
    )
    figures = line_figures(principal=line.principal, rows=rows, on=line.figures_on, first_due=line.first_due)
    line.schedule_source = ScheduleSource.ENGINE
    line.outstanding = figures.outstanding
    line.maturity_date = figures.maturity_date
    line.next_due_date = figures.next_due_date
    line.next_instalment = figures.next_instalment
    line.status = figures.status
    line.save()


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
