"""The establishments' loans as the lender's systems send them every day (« encours »).

A contract holds financing lines; each line has its terms (as the finance engine takes them),
its schedule rows, its guarantees (shares summing to 100 %), and its disbursement plan. The
figures a dashboard sums (outstanding, next instalment, maturity) are kept on the line, as of
the import date, so that pages cost the same whatever the number of lines.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from espace.core.models import TimeStampedModel
from espace.finance import Periodicity, PrefinancingMode, Profile, RateConvention, Revision
from espace.portfolio.enums import (
    ChangeRequestStatus,
    DisbursementStatus,
    GuarantorKind,
    ImportStatus,
    LineStatus,
    ScheduleSource,
    StatementStatus,
)
from espace.products.enums import RateIndex


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


class Contract(TimeStampedModel):
    """A signed loan contract of a borrower; `dossier_number` links it to the request it came from."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("numéro de contrat", max_length=30, unique=True)
    borrower = models.ForeignKey(
        "establishments.Establishment", on_delete=models.PROTECT, related_name="contracts", verbose_name="emprunteur"
    )
    signed_on = models.DateField("signé le")
    dossier_number = models.CharField("dossier d'origine", max_length=20, blank=True, db_index=True)
    # Digest of what the lender sent for this contract: an unchanged contract is not rewritten.
    source_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = "contrat"
        verbose_name_plural = "contrats"

    def __str__(self) -> str:
        return self.number


class FinancingLine(TimeStampedModel):
    """One product, amount and duration of a contract (« ligne de prêt »), with its terms."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    # The contract's borrower, kept on the line: the establishment's lists, filters and sorts read
    # one table through one index, whatever the number of lines.
    borrower = models.ForeignKey(
        "establishments.Establishment", on_delete=models.PROTECT, related_name="+", editable=False
    )
    number = models.CharField("numéro de ligne", max_length=30, unique=True)
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="lines")
    principal = models.DecimalField(
        "montant", validators=[MinValueValidator(Decimal("0.01"))], max_digits=15, decimal_places=2
    )
    # Terms, as espace.finance.Terms takes them (rates and progression as fractions).
    periodicity = models.CharField(max_length=20, choices=_choices(Periodicity))
    duration_years = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(80)])
    first_due = models.DateField("première échéance")
    profile = models.CharField(max_length=30, choices=_choices(Profile))
    progression = models.DecimalField(max_digits=8, decimal_places=6, default=Decimal(0))
    rate_index = models.CharField(max_length=20, choices=RateIndex.choices, default=RateIndex.LIVRET_A)
    margin = models.DecimalField(max_digits=8, decimal_places=6, default=Decimal(0))
    fixed_rate = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    revision = models.CharField(max_length=20, choices=_choices(Revision), default=Revision.SIMPLE)
    rate_convention = models.CharField(
        max_length=20, choices=_choices(RateConvention), default=RateConvention.ACTUARIAL
    )
    deferral_years = models.PositiveSmallIntegerField(default=0)
    prefinancing_months = models.PositiveSmallIntegerField(null=True, blank=True)
    prefinancing_mode = models.CharField(max_length=20, choices=_choices(PrefinancingMode), blank=True)
    status = models.CharField("statut", max_length=20, choices=LineStatus.choices)
    schedule_source = models.CharField(max_length=20, choices=ScheduleSource.choices, default=ScheduleSource.ENGINE)
    # As of `figures_on` (the import date): what dashboards and lists sum and filter.
    figures_on = models.DateField("situation au")
    outstanding = models.DecimalField("capital restant dû", max_digits=15, decimal_places=2)
    maturity_date = models.DateField("dernière échéance")
    next_due_date = models.DateField("prochaine échéance", null=True, blank=True)
    next_instalment = models.DecimalField(
        "montant de la prochaine échéance", null=True, blank=True, max_digits=15, decimal_places=2
    )

    class Meta:
        ordering = ["contract__number", "number"]
        verbose_name = "ligne de prêt"
        verbose_name_plural = "lignes de prêt"
        indexes = [
            models.Index(fields=["contract", "number"]),
            models.Index(fields=["borrower", "number"]),
            models.Index(fields=["borrower", "-outstanding", "number"]),
            models.Index(fields=["borrower", "maturity_date", "number"]),
            models.Index(fields=["borrower", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rate_index=RateIndex.FIXED) | models.Q(fixed_rate__isnull=False),
                name="line_fixed_rate_given",
            ),
            models.CheckConstraint(
                condition=(models.Q(prefinancing_months__isnull=True) & models.Q(prefinancing_mode=""))
                | (models.Q(prefinancing_months__gte=1) & ~models.Q(prefinancing_mode="")),
                name="line_prefinancing_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.borrower_id is None and self.contract_id is not None:
            self.borrower_id = self.contract.borrower_id
        super().save(*args, **kwargs)


class ScheduleRow(models.Model):
    """One instalment of a line (row 0: pre-financing interest)."""

    line = models.ForeignKey(FinancingLine, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    instalment = models.DecimalField(max_digits=15, decimal_places=2)
    interest = models.DecimalField(max_digits=15, decimal_places=2)
    capital = models.DecimalField(max_digits=15, decimal_places=2)
    outstanding_after = models.DecimalField(max_digits=15, decimal_places=2)
    deferred_interest = models.DecimalField(default=Decimal(0), max_digits=15, decimal_places=2)
    paid = models.BooleanField(default=False)

    class Meta:
        ordering = ["line", "number"]
        constraints = [models.UniqueConstraint(fields=["line", "number"], name="one_row_per_number")]
        indexes = [models.Index(fields=["due_date"])]

    def __str__(self) -> str:
        return f"{self.line_id} #{self.number}"


class Guarantee(models.Model):
    """A guarantor's share of a line: a local authority (or other establishment), or the CGLLS."""

    line = models.ForeignKey(FinancingLine, on_delete=models.CASCADE, related_name="guarantees")
    kind = models.CharField(max_length=20, choices=GuarantorKind.choices, default=GuarantorKind.ESTABLISHMENT)
    guarantor = models.ForeignKey(
        "establishments.Establishment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarantees",
        verbose_name="garant",
    )
    share_percent = models.DecimalField(
        "quotité garantie (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(100))],
    )
    deliberation_reference = models.CharField("délibération", max_length=60, blank=True)
    deliberation_date = models.DateField("date de la délibération", null=True, blank=True)
    # The guarantee's place in its guarantor's guaranteed-debt page (borrower name, borrower, line
    # number), from 0; written with the guarantor's summary (`summaries.guarantor_summary_refresh`)
    # so that a page is an index range, not a sort of every guaranteed line.
    position = models.PositiveIntegerField(null=True, editable=False)

    class Meta:
        ordering = ["line", "-share_percent"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=GuarantorKind.CGLLS) & models.Q(guarantor__isnull=True))
                | (models.Q(kind=GuarantorKind.ESTABLISHMENT) & models.Q(guarantor__isnull=False)),
                name="guarantee_names_its_guarantor",
            )
        ]
        indexes = [models.Index(fields=["guarantor", "line"]), models.Index(fields=["guarantor", "position"])]

    def __str__(self) -> str:
        return f"{self.line_id} {self.share_percent} %"


class PlannedDisbursement(models.Model):
    """One payment of a line's funds (« échéancier prévisionnel de versement »)."""

    line = models.ForeignKey(FinancingLine, on_delete=models.CASCADE, related_name="disbursements")
    planned_on = models.DateField("date prévue")
    amount = models.DecimalField(
        "montant", validators=[MinValueValidator(Decimal("0.01"))], max_digits=15, decimal_places=2
    )
    status = models.CharField(max_length=20, choices=DisbursementStatus.choices, default=DisbursementStatus.PLANNED)
    drawn_on = models.DateField("versé le", null=True, blank=True)

    class Meta:
        ordering = ["line", "planned_on", "pk"]

    def __str__(self) -> str:
        return f"{self.line_id} {self.planned_on} {self.amount}"


class DisbursementChangeRequest(TimeStampedModel):
    """A borrower's request to move planned disbursements (same total), decided by a loan officer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line = models.ForeignKey(FinancingLine, on_delete=models.CASCADE, related_name="change_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # [{"id": <PlannedDisbursement pk>, "planned_on": "YYYY-MM-DD", "amount": "123.45"}, …] for the planned ones.
    proposal = models.JSONField()
    previous = models.JSONField()
    reason = models.TextField("motif", max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField("note", max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=models.Q(status=ChangeRequestStatus.PENDING),
                name="one_pending_change_per_line",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.status}"

    @staticmethod
    def _items(stored: list[dict[str, str]]) -> list[tuple[date, Decimal]]:
        return [(date.fromisoformat(item["planned_on"]), Decimal(item["amount"])) for item in stored]

    @property
    def previous_items(self) -> list[tuple[date, Decimal]]:
        return self._items(self.previous)

    @property
    def proposal_items(self) -> list[tuple[date, Decimal]]:
        return self._items(self.proposal)


class ImportRun(models.Model):
    """One run of `import_portfolio`, with its refusals and its reconciliation report."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=500)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    # {"contracts": {"created": n, "updated": n, "unchanged": n, "refused": n}, "lines": n, "rows": n, …}
    counts = models.JSONField(default=dict)
    # [{"file": "lines.csv", "line": 12, "reason": "…"}, …]
    errors = models.JSONField(default=list)
    # [{"client_number": "287576", "name": "…", "lines": n, "outstanding": "123.45"}, …]
    reconciliation = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import du {self.started_at:%d/%m/%Y %H:%M}"


def statement_upload_to(instance: GuaranteedDebtStatement, filename: str) -> str:
    return f"statements/{instance.year}/{uuid.uuid4().hex}.pdf"


class GuaranteedDebtStatement(TimeStampedModel):
    """« État annuel de la dette garantie » of a guarantor for a year, made by a task."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    guarantor = models.ForeignKey("establishments.Establishment", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=StatementStatus.choices, default=StatementStatus.PENDING)
    pdf = models.FileField(upload_to=statement_upload_to, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"État {self.year} — {self.guarantor_id}"


class PortfolioSummary(models.Model):
    """An establishment's direct debt summed once per import (the dashboard's figures).

    Written by `espace.portfolio.summaries.summary_refresh` after each import for the borrowers it
    touched, so that the dashboard reads one row whatever the number of lines. Amounts in the
    JSON lists are decimal strings.
    """

    establishment = models.OneToOneField(
        "establishments.Establishment", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    figures_on = models.DateField(null=True)
    computed_on = models.DateField()
    lines = models.PositiveIntegerField()
    contracts = models.PositiveIntegerField()
    principal = models.DecimalField(max_digits=17, decimal_places=2)
    outstanding = models.DecimalField(max_digits=17, decimal_places=2)
    next_12_months = models.DecimalField(max_digits=17, decimal_places=2)
    # [{"product__name": "PLUS", "count": 12, "outstanding": "123.45"}, …] (largest first)
    by_product = models.JSONField(default=list)
    # [{"year": 2060, "count": 3, "outstanding": "123.45"}, …]
    by_maturity = models.JSONField(default=list)
    # [{"year": 2027, "outstanding": "123.45"}, …]: at 31 December of each coming year
    projection = models.JSONField(default=list)
    # [["<establishment public_id>" or "cglls", "name"], …]: the loans list's guarantor filter
    guarantors = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.computed_on}"


class GuarantorSummary(models.Model):
    """What an establishment guarantees, summed once per import (the guaranteed-debt page's figures).

    Written by `espace.portfolio.summaries.guarantor_summary_refresh` after each import (and each
    contract) for every guarantor, so that the page reads one row and one page of lines whatever
    the number of lines it guarantees. `year` is the year of the annuities; amounts in the JSON
    list are decimal strings.
    """

    establishment = models.OneToOneField(
        "establishments.Establishment", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    computed_on = models.DateField()
    year = models.PositiveSmallIntegerField()
    lines = models.PositiveIntegerField()
    outstanding = models.DecimalField(max_digits=17, decimal_places=2)  # the guaranteed share
    annuity = models.DecimalField(max_digits=17, decimal_places=2)  # the guaranteed share of the year's
    # [{"id": 12, "public_id": "…", "name": "OPH …", "lines": 3, "outstanding": "1.00", "annuity": "2.00"}, …]
    # by borrower name
    borrowers = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.establishment_id} {self.computed_on}"
