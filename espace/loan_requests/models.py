"""Loan requests (« demandes de prêt ») entered online, and the dossiers they become once sent.

One request per project (DOMAIN.md): a housing request holds its operation, dwellings, financing
plan, financing lines with their planned guarantees, a comment and documents; a local public
sector request holds its project, amount and duration (financial characteristics optional). Sent
by a validator, it gets a dossier number and belongs to the regional office; every event of its
life is kept in its timeline.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from espace.core.models import TimeStampedModel
from espace.core.uploads import ScanStatus
from espace.finance import Periodicity, PrefinancingMode, Profile, Revision
from espace.loan_requests.enums import (
    EventKind,
    FileKind,
    HousingZone,
    OperationNature,
    RequestKind,
    RequestStatus,
)
from espace.portfolio.enums import GuarantorKind
from espace.products.enums import PERIODICITY_LABELS, PROFILE_LABELS
from espace.products.terms import LoanPart, loan_parts


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]  # type: ignore[attr-defined]


class LoanRequest(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.PROTECT, related_name="loan_requests"
    )
    kind = models.CharField("type de demande", max_length=20, choices=RequestKind.choices)
    status = models.CharField("statut", max_length=30, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    name = models.CharField("nom de l'opération", max_length=150)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    simulation = models.ForeignKey(
        "simulators.Simulation",
        verbose_name="simulation jointe",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Step 1 — the operation (housing) or the project (local public sector).
    nature = models.CharField("nature de l'opération", max_length=40, choices=OperationNature.choices, blank=True)
    description = models.TextField("description du projet", max_length=4000, blank=True)
    address = models.CharField("adresse de l'opération", max_length=200, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    insee_code = models.CharField("code INSEE de la commune", max_length=5, blank=True)
    zone = models.CharField("zone", max_length=4, choices=HousingZone.choices, blank=True)

    # Step 3 — financing plan (the loans are the lines of step 4).
    land_cost = models.DecimalField("charge foncière", null=True, blank=True, max_digits=15, decimal_places=2)
    building_cost = models.DecimalField("coût du bâtiment", null=True, blank=True, max_digits=15, decimal_places=2)
    fees_cost = models.DecimalField("honoraires et frais", null=True, blank=True, max_digits=15, decimal_places=2)
    subsidies_state = models.DecimalField(
        "subventions de l'État", null=True, blank=True, max_digits=15, decimal_places=2
    )
    subsidies_local = models.DecimalField(
        "subventions des collectivités", null=True, blank=True, max_digits=15, decimal_places=2
    )
    subsidies_other = models.DecimalField("autres subventions", null=True, blank=True, max_digits=15, decimal_places=2)
    own_funds = models.DecimalField("fonds propres", null=True, blank=True, max_digits=15, decimal_places=2)
    other_loans = models.DecimalField("autres prêts", null=True, blank=True, max_digits=15, decimal_places=2)

    # Local public sector — the amount and duration asked (the lines are optional there).
    requested_amount = models.DecimalField("montant demandé", null=True, blank=True, max_digits=15, decimal_places=2)
    requested_years = models.PositiveSmallIntegerField(
        "durée souhaitée (années)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    # Step 6.
    comment = models.TextField("commentaire", max_length=4000, blank=True)

    # The dossier, once sent.
    dossier_number = models.CharField("numéro de dossier", max_length=20, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField("transmise le", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    regional_office = models.ForeignKey(
        "establishments.RegionalOffice", null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offer_issued_at = models.DateTimeField(null=True, blank=True)
    contract = models.OneToOneField(
        "portfolio.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="loan_request"
    )

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["establishment", "-updated_at"]),
            models.Index(fields=["regional_office", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dossier_number__isnull=True)
                | ~models.Q(status__in=[RequestStatus.DRAFT, RequestStatus.TO_VALIDATE]),
                name="dossier_number_only_once_sent",
            ),
        ]
        verbose_name = "demande de prêt"
        verbose_name_plural = "demandes de prêt"

    def __str__(self) -> str:
        return self.dossier_number or self.name

    @property
    def is_editable(self) -> bool:
        return self.status in {RequestStatus.DRAFT, RequestStatus.TO_VALIDATE}

    @property
    def is_housing(self) -> bool:
        return self.kind == RequestKind.HOUSING


class DwellingGroup(models.Model):
    """Step 2: dwellings of one financing category."""

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="dwellings")
    category = models.CharField("catégorie de financement", max_length=30)
    count = models.PositiveIntegerField("nombre de logements", validators=[MinValueValidator(1)])
    surface_m2 = models.DecimalField(
        "surface habitable totale (m²)", max_digits=10, decimal_places=2, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["request", "pk"]

    def __str__(self) -> str:
        return f"{self.category} × {self.count}"


class RequestLine(models.Model):
    """Step 4: one financing line (one product), with its terms as the engine takes them."""

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        "montant", validators=[MinValueValidator(Decimal("1000"))], max_digits=15, decimal_places=2
    )
    duration_years = models.PositiveSmallIntegerField(
        "durée (années)", validators=[MinValueValidator(1), MaxValueValidator(80)]
    )
    # The land part of the amount, over its own (longer) duration (« part foncière »).
    land_amount = models.DecimalField("dont part foncière", null=True, blank=True, max_digits=15, decimal_places=2)
    land_duration_years = models.PositiveSmallIntegerField(
        "durée de la part foncière (années)", null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    prefinancing_months = models.PositiveSmallIntegerField(
        "préfinancement (mois)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    prefinancing_mode = models.CharField(
        "intérêts de préfinancement", max_length=20, choices=_choices(PrefinancingMode), blank=True
    )
    profile = models.CharField("profil d'amortissement", max_length=30, choices=_choices(Profile))
    progression = models.DecimalField("progressivité", max_digits=8, decimal_places=6, default=Decimal(0))
    periodicity = models.CharField("périodicité", max_length=20, choices=_choices(Periodicity))
    revision = models.CharField("révision", max_length=20, choices=_choices(Revision), default=Revision.SIMPLE)

    class Meta:
        ordering = ["request", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(prefinancing_months__isnull=True) & models.Q(prefinancing_mode=""))
                | (models.Q(prefinancing_months__gte=1) & ~models.Q(prefinancing_mode="")),
                name="request_line_prefinancing_both_or_neither",
            ),
            models.CheckConstraint(
                condition=(models.Q(land_amount__isnull=True) & models.Q(land_duration_years__isnull=True))
                | (models.Q(land_amount__gt=0) & models.Q(land_duration_years__gte=1)),
                name="request_line_land_part_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.amount}"

    @property
    def building_amount(self) -> Decimal:
        return self.amount - (self.land_amount or Decimal(0))

    @property
    def parts(self) -> list[LoanPart]:
        """The loans the line is repaid as: the building part, and the land part over its own duration."""
        return loan_parts(
            amount=self.amount,
            duration_years=self.duration_years,
            land_amount=self.land_amount,
            land_duration_years=self.land_duration_years,
        )

    @property
    def profile_label(self) -> str:
        return str(PROFILE_LABELS.get(self.profile, self.profile))

    @property
    def periodicity_label(self) -> str:
        return str(PERIODICITY_LABELS.get(self.periodicity, self.periodicity)).lower()


class PlannedGuarantee(models.Model):
    """Step 5: who will guarantee a line, and for which share (the shares of a line make 100 %)."""

    line = models.ForeignKey(RequestLine, on_delete=models.CASCADE, related_name="guarantees")
    kind = models.CharField(max_length=20, choices=GuarantorKind.choices, default=GuarantorKind.ESTABLISHMENT)
    guarantor = models.ForeignKey(
        "establishments.Establishment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    share_percent = models.DecimalField(
        "quotité (%)",
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["line", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=GuarantorKind.CGLLS) & models.Q(guarantor__isnull=True))
                | (models.Q(kind=GuarantorKind.ESTABLISHMENT) & models.Q(guarantor__isnull=False)),
                name="planned_guarantee_names_its_guarantor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.share_percent} %"


class RequiredDocument(models.Model):
    """A document a request must carry (step 7), per kind, product and nature — data the data
    managers edit at /gestion/. Empty `products` or `natures` means « all »."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=200)
    help_text = models.CharField("précision", max_length=300, blank=True)
    kind = models.CharField("type de demande", max_length=20, choices=RequestKind.choices)
    products = models.JSONField("produits (codes ; vide : tous)", default=list, blank=True)
    natures = models.JSONField("natures d'opération (vide : toutes)", default=list, blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=100)
    active = models.BooleanField("demandé", default=True)

    class Meta:
        ordering = ["kind", "order", "code"]
        verbose_name = "pièce à fournir"
        verbose_name_plural = "pièces à fournir"

    def __str__(self) -> str:
        return self.label


class DocumentRequest(TimeStampedModel):
    """Documents the regional office asks for, with a reason and a deadline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="document_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("documents demandés", max_length=2000)
    due_on = models.DateField("à fournir avant le")
    fulfilled_at = models.DateTimeField("fournis le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.due_on}"


class DossierMessage(TimeStampedModel):
    """A message between the establishment and its regional office about a dossier."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_office = models.BooleanField(default=False)
    body = models.TextField("message", max_length=4000)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.created_at:%Y-%m-%d}"


def file_upload_to(instance: DossierFile, filename: str) -> str:
    return f"dossiers/{instance.request.public_id}/{uuid.uuid4().hex}"


class DossierFile(TimeStampedModel):
    """Every file of a request: the documents of step 7, complements, message attachments, the offer.

    Stored under a random name, checked by content and scanned (core.uploads); served only when
    clean, through a view that checks the permission and the establishment.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=20, choices=FileKind.choices)
    required_document = models.ForeignKey(
        RequiredDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_request = models.ForeignKey(
        DocumentRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    message = models.ForeignKey(DossierMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=file_upload_to)
    name = models.CharField("nom du fichier", max_length=255)
    mime_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    scan = models.CharField(max_length=20, choices=ScanStatus.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_office = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["request", "kind"])]

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """One line of a request's timeline (append-only)."""

    request = models.ForeignKey(LoanRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_office = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=30, choices=RequestStatus.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["request", "created_at"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class DossierCounter(models.Model):
    """The last dossier number given each year (DP-YYYY-NNNNNN), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
