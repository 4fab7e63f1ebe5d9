"""Reads of the library and the resources. Every document is reached through the establishment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.template.defaultfilters import filesizeformat

from espace.core.readmodels import RowUrl
from espace.core.uploads import ScanStatus
from espace.documents.models import DeliberationTemplate, Document, Resource, ResourceVersion
from espace.establishments.models import Establishment
from espace.loan_requests.models import PlannedGuarantee
from espace.portfolio.enums import GuarantorKind
from espace.portfolio.models import FinancingLine, Guarantee


def documents_of(establishment: Establishment) -> QuerySet[Document]:
    """The establishment's library: tenant isolation starts here."""
    return Document.objects.filter(establishment=establishment)


def document_for(establishment: Establishment, public_id: UUID) -> Document | None:
    """One document of the establishment's library (None for another establishment's or an unknown id)."""
    return documents_of(establishment).filter(public_id=public_id).first()


def library_filtered(
    establishment: Establishment,
    *,
    kind: str = "",
    year: int | None = None,
    loan: str = "",
    dossier: str = "",
) -> QuerySet[Document]:
    """The library list, newest first, with the loan each document names (one query for a page)."""
    documents = documents_of(establishment).select_related("contract", "line")
    if kind:
        documents = documents.filter(kind=kind)
    if year:
        documents = documents.filter(issued_on__year=year)
    if loan:
        documents = documents.filter(
            Q(loan_reference__iexact=loan) | Q(line__number__iexact=loan) | Q(contract__number__iexact=loan)
        )
    if dossier:
        documents = documents.filter(dossier_number__iexact=dossier)
    return documents.order_by("-issued_on", "-pk")


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One document of the library's list, its cells already written (no tag or filter per cell)."""

    title: str
    issued_on: str
    kind: str
    references: tuple[str, ...]  # « ligne … (contrat …) », « dossier … »: one per line of the cell
    format: str  # « PDF, 120,5 Ko »
    download_url: str  # empty when the file cannot be downloaded
    email_url: str
    unavailable: str  # why not, when it cannot


def _references(document: Document) -> tuple[str, ...]:
    loan = ""
    if document.line is not None:
        loan = f"ligne {document.line.number}" + (
            f" (contrat {document.contract.number})" if document.contract is not None else ""
        )
    elif document.contract is not None:
        loan = f"contrat {document.contract.number}"
    elif document.loan_reference:
        loan = document.loan_reference
    dossier = f"dossier {document.dossier_number}" if document.dossier_number else ""
    return tuple(part for part in (loan, dossier) if part)


def library_page(documents: QuerySet[Document], *, page_number: str | None, per_page: int) -> Page[DocumentRow]:
    """A page of `library_filtered`, as the list prints it."""
    paginator: Paginator[Any] = Paginator(documents, per_page)
    page = paginator.get_page(page_number)
    download, email = RowUrl("documents:download"), RowUrl("documents:email")
    rows = [
        DocumentRow(
            title=document.title,
            issued_on=f"{document.issued_on:%d/%m/%Y}",
            kind=document.get_kind_display(),
            references=_references(document),
            format=f"{document.format_label}, {filesizeformat(document.size)}",
            download_url=download(document.public_id) if document.downloadable else "",
            email_url=email(document.public_id),
            unavailable="" if document.downloadable else _unavailable(document.scan_status),
        )
        for document in page.object_list
    ]
    return Page(rows, page.number, paginator)


def _unavailable(scan_status: str) -> str:
    if scan_status == ScanStatus.PENDING:
        return "analyse antivirus en cours"
    if scan_status == ScanStatus.INFECTED:
        return "virus détecté : fichier supprimé"
    return "non disponible"


def library_years(establishment: Establishment) -> list[int]:
    """The years the establishment has documents for (the year filter's choices, one query)."""
    years = (
        documents_of(establishment)
        .annotate(year=ExtractYear("issued_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return list(years)


def documents_for_line(establishment: Establishment, line: FinancingLine) -> QuerySet[Document]:
    """What the establishment's library holds about a line: the line's own documents and those of
    its contract that name no line."""
    return (
        documents_of(establishment)
        .filter(Q(line=line) | Q(contract_id=line.contract_id, line__isnull=True))
        .order_by("-issued_on", "-pk")
    )


def documents_for_dossier(establishment: Establishment, dossier_number: str) -> QuerySet[Document]:
    """For the dossier page (loan requests): the documents filed under its number."""
    return documents_of(establishment).filter(dossier_number=dossier_number).order_by("-issued_on", "-pk")


# --- Guarantee deliberations --------------------------------------------------------------


def deliberation_lines(establishment: Establishment) -> QuerySet[FinancingLine]:
    """Lines a deliberation can be prepared for: those the establishment guarantees, and its own
    lines that a local authority or another establishment guarantees."""
    guaranteed_by_it = Guarantee.objects.filter(line=OuterRef("pk"), guarantor=establishment)
    guaranteed_by_someone = Guarantee.objects.filter(line=OuterRef("pk"), kind=GuarantorKind.ESTABLISHMENT)
    return (
        FinancingLine.objects.filter(
            Q(Exists(guaranteed_by_it)) | Q(borrower=establishment, pk__in=guaranteed_by_someone.values("line"))
        )
        .select_related("contract__borrower", "product")
        .prefetch_related(
            Prefetch(
                "guarantees",
                queryset=Guarantee.objects.filter(kind=GuarantorKind.ESTABLISHMENT).select_related("guarantor"),
                to_attr="establishment_guarantees",
            )
        )
        .order_by("contract__borrower__legal_name", "number")
    )


def deliberation_guarantee(
    establishment: Establishment, line_public_id: UUID, guarantor_public_id: UUID | None = None
) -> Guarantee | None:
    """The guarantee a deliberation is prepared for, or None (the caller answers 404).

    A guarantor gets its own guarantee of a line it guarantees, never another line. The borrower
    of the line gets the guarantee of the guarantor it names (`guarantor_public_id`), by default
    the largest share held by a local authority or another establishment.
    """
    guarantees = Guarantee.objects.select_related("guarantor", "line__contract__borrower", "line__product").filter(
        line__public_id=line_public_id, kind=GuarantorKind.ESTABLISHMENT
    )
    own = guarantees.filter(guarantor=establishment).first()
    if own is not None:
        return own
    guarantees = guarantees.filter(line__borrower=establishment)
    if guarantor_public_id is not None:
        return guarantees.filter(guarantor__public_id=guarantor_public_id).first()
    return guarantees.order_by("-share_percent", "guarantor__legal_name").first()


def deliberation_template_current() -> DeliberationTemplate | None:
    return DeliberationTemplate.objects.order_by("-number").first()


# --- Resources (forms, product sheets) ----------------------------------------------------


def resource_current_version(resource: Resource) -> ResourceVersion | None:
    """What clients get: the latest version the antivirus declared clean."""
    return resource.versions.filter(scan_status=ScanStatus.CLEAN).exclude(file="").order_by("-number").first()


def resources_published() -> QuerySet[Resource]:
    """Published resources with a downloadable version, each with it as `current` (two queries)."""
    clean = ResourceVersion.objects.filter(scan_status=ScanStatus.CLEAN).exclude(file="").order_by("-number")
    return (
        Resource.objects.filter(published=True)
        .filter(Exists(clean.filter(resource=OuterRef("pk"))))
        .select_related("product")
        .prefetch_related(Prefetch("versions", queryset=clean, to_attr="clean_versions"))
    )


def request_guarantee_for(
    establishment: Establishment, request_public_id: Any, guarantee_id: int
) -> PlannedGuarantee | None:
    """A guarantee planned in one of the establishment's own loan requests (another's: None)."""
    return (
        PlannedGuarantee.objects.select_related("line__product", "line__request__establishment", "guarantor")
        .filter(pk=guarantee_id, line__request__public_id=request_public_id, line__request__establishment=establishment)
        .first()
    )
