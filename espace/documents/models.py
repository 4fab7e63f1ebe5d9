"""The establishments' document library and the resources reserved to clients.

A document belongs to one establishment (its library): what the lender's systems send
(`import_documents`) or what the service makes itself (`services.document_store`: annual
guaranteed-debt statements, later offers). It may name the contract or the line it is about, and
the dossier number it came from (a plain number, so dossiers link without a migration here).

Resources are the same for every client: the guarantee deliberation template (wording as data,
one row per version) and files managed by staff (forms, product sheets), each with its versions.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from espace.core import clock
from espace.core.models import TimeStampedModel
from espace.core.uploads import ALLOWED_TYPES, ScanStatus, is_downloadable
from espace.documents.enums import DocumentKind, Origin, ResourceCategory


def document_upload_to(instance: Document, filename: str) -> str:
    return f"documents/{uuid.uuid4().hex}"


def resource_upload_to(instance: ResourceVersion, filename: str) -> str:
    return f"resources/{uuid.uuid4().hex}"


# What may be served: the service's own files, and outside files the antivirus declared clean.
SERVABLE = Q(origin=Origin.SERVICE) | Q(scan_status=ScanStatus.CLEAN)


class Document(TimeStampedModel):
    """One file of an establishment's library."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("type", max_length=40, choices=DocumentKind.choices)
    title = models.CharField("intitulé", max_length=200)
    issued_on = models.DateField("date")
    contract = models.ForeignKey(
        "portfolio.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.ForeignKey(
        "portfolio.FinancingLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The contract or line number as the lender gave it: still shown if the loan is later removed.
    loan_reference = models.CharField("prêt ou contrat", max_length=30, blank=True)
    dossier_number = models.CharField("dossier", max_length=20, blank=True, db_index=True)
    origin = models.CharField(max_length=20, choices=Origin.choices)
    file = models.FileField(upload_to=document_upload_to, blank=True)
    file_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices, blank=True)
    # What makes a filing idempotent: the import's manifest row, or the service's own key
    # (e.g. "statement:<public_id>"). Empty when the caller does not need it.
    source_key = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "document"
        verbose_name_plural = "documents"
        indexes = [
            models.Index(fields=["establishment", "-issued_on", "-id"]),
            models.Index(fields=["establishment", "kind", "-issued_on"]),
            models.Index(fields=["establishment", "line"]),
            models.Index(fields=["establishment", "contract"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""), name="document_source_once"),
            models.CheckConstraint(
                condition=Q(origin=Origin.SERVICE) | ~Q(scan_status=""), name="document_outside_file_is_scanned"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def format_label(self) -> str:
        return ALLOWED_TYPES.get(self.mime_type, "fichier")

    @property
    def downloadable(self) -> bool:
        return bool(self.file) and (self.origin == Origin.SERVICE or is_downloadable(self.scan_status))


class DeliberationTemplate(models.Model):
    """One version of the guarantee deliberation's wording; the highest number is in force.

    The body is text with `{{ placeholder }}` names (see `deliberations.PLACEHOLDERS`) and a light
    layout: `# ` a title, `## ` a heading, `- ` a list item, a blank line between paragraphs.
    Versions are never edited: staff save a new one.
    """

    number = models.PositiveIntegerField("version", unique=True, validators=[MinValueValidator(1)])
    title = models.CharField("titre du document", max_length=200)
    body = models.TextField("texte du modèle", max_length=20000)
    note = models.CharField("note de version", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = "modèle de délibération de garantie"
        verbose_name_plural = "modèles de délibération de garantie"

    def __str__(self) -> str:
        return f"modèle version {self.number} du {timezone.localdate(self.created_at):%d/%m/%Y}"


class Resource(TimeStampedModel):
    """A file every client may download (an Eco-prêt form, a product sheet), managed by staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField("intitulé", max_length=200)
    category = models.CharField("catégorie", max_length=20, choices=ResourceCategory.choices)
    description = models.TextField("description", max_length=2000, blank=True)
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="produit concerné",
    )
    published = models.BooleanField("publié", default=True)

    class Meta:
        ordering = ["category", "title"]
        verbose_name = "ressource"
        verbose_name_plural = "ressources"

    def __str__(self) -> str:
        return self.title


class ResourceVersion(models.Model):
    """One uploaded file of a resource. Clients get the latest one the antivirus declared clean."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    file = models.FileField(upload_to=resource_upload_to, blank=True)
    file_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices)
    note = models.CharField("note de version", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="resource_version_once")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"

    @property
    def format_label(self) -> str:
        return ALLOWED_TYPES.get(self.mime_type, "fichier")

    @property
    def downloadable(self) -> bool:
        return bool(self.file) and is_downloadable(self.scan_status)
