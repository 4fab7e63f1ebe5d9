"""The API's typed shapes (OpenAPI 3 is generated from them).

Amounts are decimal strings with two places, rates decimal strings in percent with four, dates
ISO 8601; identifiers are the public UUIDs and the lender's numbers, both stable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Protocol, TypedDict, get_args
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, field_validator

from espace.api.enums import ApiScope
from espace.api.http import amount, percent, share, token_of
from espace.api.models import ApiToken
from espace.core.uploads import ScanStatus
from espace.documents.enums import DocumentKind, Origin
from espace.documents.models import Document
from espace.establishments.models import Establishment
from espace.loan_requests.enums import EDITABLE_STATUSES, EventKind, RequestKind, RequestStatus
from espace.loan_requests.models import DocumentRequest, DossierEvent, LoanRequest, PlannedGuarantee
from espace.portfolio.enums import GuarantorKind, LineStatus
from espace.portfolio.models import FinancingLine, ScheduleRow

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _ResolverContext(TypedDict):
    """What ninja gives a resolver that asks for `context` (among other keys)."""

    request: HttpRequest


class _GuaranteeShare(TypedDict):
    share: Decimal  # this guarantor's total share of the line, percent (api.selectors.guaranteed_listed)


class _DossierActivity(TypedDict):
    last_activity: datetime  # loan_requests.selectors._last_activity
    lines_total: Decimal | None  # loan_requests.selectors._lines_total (None: no line)


def _as(text: Callable[[Decimal], str | None]) -> BeforeValidator:
    """A Decimal read from a model is written as the API's text; text given as such passes."""
    return BeforeValidator(lambda value: text(value) if isinstance(value, Decimal) else value)


Amount = Annotated[str, _as(amount), Field(pattern=r"^-?\d+\.\d{2}$", examples=["1000000.00"])]
Percent = Annotated[str, _as(percent), Field(pattern=r"^-?\d+\.\d{4}$", examples=["2.4000"])]
Share = Annotated[str, _as(share), Field(pattern=r"^\d+\.\d{3}$", examples=["50.000"])]
ScopeCode = Literal["portfolio", "dossiers", "documents"]
StatusCode = Literal["prefinancing", "repayment", "repaid"]
# Dates given as parameters are brought within these bounds (see _bounded).
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

DossierStatusCode = Literal[
    "sent", "under_review", "documents_requested", "offer_issued", "refused", "abandoned", "contracted"
]
RequestStatusCode = Literal[
    "draft",
    "to_validate",
    "sent",
    "under_review",
    "documents_requested",
    "offer_issued",
    "refused",
    "abandoned",
    "contracted",
]
EventKindCode = Literal[
    "created",
    "submitted",
    "sent",
    "assigned",
    "status_changed",
    "documents_requested",
    "document_added",
    "message",
    "offer_issued",
    "contracted",
]
DocumentKindCode = Literal[
    "contract",
    "contract_annex",
    "offer",
    "instalment_notice",
    "guaranteed_debt_statement",
    "disbursement_confirmation",
    "schedule",
    "letter",
]
ScanCode = Literal["pending", "clean", "infected", "not_scanned"]

assert set(get_args(ScopeCode)) == set(ApiScope.values)
assert set(get_args(StatusCode)) == set(LineStatus.values)
assert set(get_args(DossierStatusCode)) == set(RequestStatus.values) - set(EDITABLE_STATUSES)
assert set(get_args(RequestStatusCode)) == set(RequestStatus.values)
assert set(get_args(EventKindCode)) == set(EventKind.values)
assert set(get_args(DocumentKindCode)) == set(DocumentKind.values)
assert set(get_args(ScanCode)) == set(ScanStatus.values)
assert {"housing", "local"} == set(RequestKind.values) and {"imported", "service"} == set(Origin.values)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    error: str = Field(description="Code stable de l'erreur (invalid_request, missing_token, scope_missing…).")
    message: str = Field(description="Explication en français.")
    fields: list[FieldError] = Field(default_factory=list, description="Les paramètres refusés (erreurs 400).")


# The answers every operation may give besides its own: declared on each operation.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}
ERRORS_404 = {**ERRORS, 404: ErrorOut}
LISTS = {**ERRORS, 304: None}
ETAG_HEADER = {
    "ETag": {
        "description": "Version de la liste : renvoyez-la en If-None-Match (304 si rien n'a changé).",
        "schema": {"type": "string"},
    }
}


class _HasPublicId(Protocol):
    @property
    def public_id(self) -> UUID: ...


# A shape read from a model: its `id` is the model's public UUID (never its primary key).
class PublicIdOut(Schema):
    @staticmethod
    def resolve_id(obj: _HasPublicId) -> UUID:
        return obj.public_id


class TokenOut(PublicIdOut):
    id: UUID
    name: str
    scopes: list[ScopeCode]
    expires_at: datetime


class EstablishmentOut(PublicIdOut):
    # Read from the token's establishment; `token` is the token of the call.
    id: UUID
    client_number: str
    legal_name: str
    kind: str
    borrower: bool
    guarantor: bool
    token: TokenOut

    @staticmethod
    def resolve_borrower(obj: Establishment) -> bool:
        return obj.is_borrower

    @staticmethod
    def resolve_guarantor(obj: Establishment) -> bool:
        return obj.is_guarantor

    @staticmethod
    def resolve_token(obj: Establishment, context: _ResolverContext) -> ApiToken:
        return token_of(context["request"])


class EstablishmentRef(PublicIdOut):
    """Another establishment (a guarantor, a borrower): its name and stable id, never its client number."""

    id: UUID
    legal_name: str


class ProductRef(Schema):
    code: str
    name: str


class LoanOut(PublicIdOut):
    # Read from a financing line (its contract and product joined).
    id: UUID
    number: str
    contract_number: str
    product: ProductRef
    principal: Amount
    outstanding: Amount = Field(description="Capital restant dû à la date `figures_on`.")
    figures_on: date
    status: StatusCode
    rate_index: Literal["livret_a", "fixed"]
    margin_percent: Percent
    fixed_rate_percent: Percent | None
    periodicity: str
    duration_years: int
    profile: str
    revision: str
    first_due: date
    maturity_date: date
    next_due_date: date | None
    next_instalment: Amount | None
    updated_at: datetime

    @staticmethod
    def resolve_contract_number(obj: FinancingLine) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_margin_percent(obj: FinancingLine) -> Decimal:
        return obj.margin

    @staticmethod
    def resolve_fixed_rate_percent(obj: FinancingLine) -> Decimal | None:
        return obj.fixed_rate


class LoanPage(Schema):
    items: list[LoanOut]
    next_cursor: str | None = Field(description="À passer en `cursor` pour la page suivante ; null à la dernière.")


class ContractOut(Schema):
    number: str
    signed_on: date
    dossier_number: str


class GuaranteeOut(Schema):
    kind: Literal["establishment", "cglls"]
    guarantor: EstablishmentRef | None = Field(description="null pour la CGLLS.")
    share_percent: Share
    deliberation_reference: str
    deliberation_date: date | None


class ScheduleRowOut(Schema):
    number: int = Field(description="0 : intérêts de préfinancement.")
    due_date: date
    rate_percent: Percent
    instalment: Amount
    interest: Amount
    capital: Amount
    outstanding_after: Amount
    deferred_interest: Amount
    paid: bool

    @staticmethod
    def resolve_rate_percent(obj: ScheduleRow) -> Decimal:
        return obj.rate


class DisbursementOut(Schema):
    planned_on: date
    amount: Amount
    status: Literal["planned", "drawn"]
    drawn_on: date | None


class LoanDetailOut(LoanOut):
    relation: Literal["borrower", "guarantor"] = Field(
        description="« borrower » : un prêt de votre établissement ; « guarantor » : un prêt qu'il garantit."
    )
    borrower: EstablishmentRef
    contract: ContractOut
    guarantees: list[GuaranteeOut]
    schedule: list[ScheduleRowOut]
    disbursements: list[DisbursementOut]

    # Read from a line whose guarantees, rows and disbursements are prefetched (api.selectors.loan_detail).
    @staticmethod
    def resolve_relation(obj: FinancingLine, context: _ResolverContext) -> str:
        own = obj.borrower_id == token_of(context["request"]).establishment_id
        return "borrower" if own else "guarantor"

    @staticmethod
    def resolve_borrower(obj: FinancingLine) -> Establishment:
        return obj.contract.borrower

    @staticmethod
    def resolve_schedule(obj: FinancingLine) -> list[ScheduleRow]:
        return list(obj.rows.all())


class InstalmentOut(Schema):
    # Read from a schedule row (its line and contract joined).
    loan_id: UUID
    loan_number: str
    contract_number: str
    number: int
    due_date: date
    rate_percent: Percent
    instalment: Amount
    interest: Amount
    capital: Amount
    outstanding_after: Amount
    paid: bool

    @staticmethod
    def resolve_loan_id(obj: ScheduleRow) -> UUID:
        return obj.line.public_id

    @staticmethod
    def resolve_loan_number(obj: ScheduleRow) -> str:
        return obj.line.number

    @staticmethod
    def resolve_contract_number(obj: ScheduleRow) -> str:
        return obj.line.contract.number

    @staticmethod
    def resolve_rate_percent(obj: ScheduleRow) -> Decimal:
        return obj.rate


class InstalmentPage(Schema):
    items: list[InstalmentOut]
    next_cursor: str | None


class YearOutstanding(Schema):
    year: int
    guaranteed_outstanding: Amount = Field(description="Encours garanti au 31 décembre de l'année.")


class GuaranteedDebtOut(Schema):
    lines: int
    guaranteed_outstanding: Amount
    figures_on: date | None
    by_year: list[YearOutstanding]


class GuaranteedLineOut(Schema):
    # Read from a line the establishment guarantees, annotated with its total `share` (percent).
    loan_id: UUID
    loan_number: str
    contract_number: str
    borrower: EstablishmentRef
    product: ProductRef
    status: StatusCode
    share_percent: Share
    outstanding: Amount
    guaranteed_outstanding: Amount
    figures_on: date
    maturity_date: date
    updated_at: datetime

    @staticmethod
    def resolve_loan_id(obj: FinancingLine) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_loan_number(obj: FinancingLine) -> str:
        return obj.number

    @staticmethod
    def resolve_contract_number(obj: FinancingLine) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_borrower(obj: FinancingLine) -> Establishment:
        return obj.contract.borrower

    @staticmethod
    def resolve_share_percent(obj: WithAnnotations[FinancingLine, _GuaranteeShare]) -> Decimal:
        return Decimal(obj.share)

    @staticmethod
    def resolve_guaranteed_outstanding(obj: WithAnnotations[FinancingLine, _GuaranteeShare]) -> Decimal:
        return obj.outstanding * Decimal(obj.share) / 100


class GuaranteedLinePage(Schema):
    items: list[GuaranteedLineOut]
    next_cursor: str | None


class RateOut(Schema):
    effective_from: date
    rate_percent: Percent


class LivretAOut(Schema):
    rate_percent: Percent
    since: date
    floor_percent: Percent
    history: list[RateOut]


# --- Dossiers ---------------------------------------------------------------------------------


class DossierOut(PublicIdOut):
    # A dossier is a request the establishment sent (it has a number); drafts are working copies.
    model_config = ConfigDict(
        json_schema_extra={
            "description": "Un dossier : une demande de prêt que votre établissement a transmise à sa direction "
            "régionale (elle a un numéro de dossier). Les brouillons et les demandes en attente de validation sont "
            "les documents de travail de l'établissement : ce ne sont pas des dossiers, l'API ne les montre pas."
        }
    )

    id: UUID
    dossier_number: str = Field(examples=["DP-2026-000042"])
    kind: Literal["housing", "local"] = Field(description="housing : logement social ; local : secteur public local.")
    name: str = Field(description="Nom de l'opération ou du projet.")
    status: DossierStatusCode
    status_label: str = Field(description="Le statut en français, tel que l'espace client l'affiche.")
    amount: Amount | None = Field(
        description="Montant demandé : total des lignes de financement (ou montant du projet sans ligne)."
    )
    sent_at: datetime = Field(description="Transmission à la direction régionale.")
    regional_office: str | None = Field(description="La direction régionale qui instruit le dossier.")
    offer_issued_at: datetime | None
    contract_number: str | None = Field(description="Le contrat, une fois signé et enregistré.")
    updated_at: datetime = Field(
        description="Dernière activité du dossier (statut, événement de l'historique, document, message)."
    )

    # Read from a loan request annotated with `last_activity` and, in a list, `lines_total`.
    @staticmethod
    def resolve_status_label(obj: LoanRequest) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_amount(obj: WithAnnotations[LoanRequest, _DossierActivity]) -> Decimal | None:
        return obj.lines_total if obj.lines_total is not None else obj.requested_amount

    @staticmethod
    def resolve_regional_office(obj: LoanRequest) -> str | None:
        return obj.regional_office.name if obj.regional_office else None

    @staticmethod
    def resolve_contract_number(obj: LoanRequest) -> str | None:
        return obj.contract.number if obj.contract else None

    @staticmethod
    def resolve_updated_at(obj: WithAnnotations[LoanRequest, _DossierActivity]) -> datetime:
        return obj.last_activity


class DossierPage(Schema):
    items: list[DossierOut]
    next_cursor: str | None = Field(description="À passer en `cursor` pour la page suivante ; null à la dernière.")


class PlannedGuaranteeOut(Schema):
    kind: Literal["establishment", "cglls"]
    guarantor_id: UUID | None = Field(description="L'établissement garant ; null pour la CGLLS.")
    guarantor_name: str = Field(description="Raison sociale du garant, ou « CGLLS ».")
    share_percent: Share

    @staticmethod
    def resolve_guarantor_id(obj: PlannedGuarantee) -> UUID | None:
        guarantor = _guarantor(obj)
        return None if guarantor is None else guarantor.public_id

    @staticmethod
    def resolve_guarantor_name(obj: PlannedGuarantee) -> str:
        guarantor = _guarantor(obj)
        return "CGLLS" if guarantor is None else guarantor.legal_name


def _guarantor(guarantee: PlannedGuarantee) -> Establishment | None:
    """The guarantor establishment; None for the CGLLS."""
    return None if guarantee.kind == GuarantorKind.CGLLS else guarantee.guarantor


class DossierLineOut(Schema):
    product: ProductRef
    amount: Amount
    duration_years: int
    land_amount: Amount | None = Field(description="Dont part foncière (null sans part foncière).")
    land_duration_years: int | None = Field(description="Durée de la part foncière.")
    prefinancing_months: int | None
    periodicity: str
    profile: str
    guarantees: list[PlannedGuaranteeOut] = Field(description="Garanties prévues (les quotités font 100 %).")


# Who acted, as the establishment reads it: never the name of a person of the lender.
OFFICE = "direction régionale"
ESTABLISHMENT = "établissement"


class DossierEventOut(Schema):
    kind: EventKindCode
    label: str = Field(description="L'événement en français.")
    status: RequestStatusCode | None = Field(
        description="Le statut que l'événement donne au dossier, s'il en donne un."
    )
    at: datetime
    from_office: bool
    by: Literal["direction régionale", "établissement"] = Field(
        description="Qui : votre direction régionale ou votre établissement (jamais le nom d'une personne)."
    )
    note: str = Field(
        description="Décision, documents demandés, nom du document ajouté… Vide pour un message (lisez-le dans l'espace client)."
    )

    @staticmethod
    def resolve_label(obj: DossierEvent) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status(obj: DossierEvent) -> str | None:
        return obj.status or None

    @staticmethod
    def resolve_at(obj: DossierEvent) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_by(obj: DossierEvent) -> str:
        return OFFICE if obj.from_office else ESTABLISHMENT

    @staticmethod
    def resolve_note(obj: DossierEvent) -> str:
        # A message is a conversation between people (signatures included): read in the client space.
        return "" if obj.kind == EventKind.MESSAGE else obj.note


class DocumentRequestOut(PublicIdOut):
    id: UUID
    reason: str = Field(description="Les documents demandés par la direction régionale.")
    requested_at: datetime
    due_on: date = Field(description="À fournir avant le.")
    fulfilled_at: datetime | None = Field(description="Fournis le (null tant qu'ils ne le sont pas).")

    @staticmethod
    def resolve_requested_at(obj: DocumentRequest) -> datetime:
        return obj.created_at


class DossierContractOut(Schema):
    number: str
    signed_on: date


class LoanRef(PublicIdOut):
    id: UUID = Field(description="Identifiant du prêt : GET /api/v1/loans/{id}.")
    number: str


class DossierDetailOut(DossierOut):
    nature: str = Field(description="Nature de l'opération (logement social ; vide sinon).")
    commune: str
    insee_code: str
    requested_years: int | None = Field(description="Durée demandée (secteur public local).")
    lines: list[DossierLineOut]
    timeline: list[DossierEventOut] = Field(description="Historique, du plus ancien au plus récent.")
    document_requests: list[DocumentRequestOut]
    contract: DossierContractOut | None
    loans: list[LoanRef] = Field(description="Les prêts (lignes de financement) du contrat, une fois contractualisé.")

    # Read from a dossier whose lines, timeline, requests and contract's loans are prefetched
    # (api.selectors.dossier_detail): the amount is the total of its lines, read from them.
    @staticmethod
    def resolve_amount(obj: LoanRequest) -> Decimal | None:
        lines = obj.lines.all()
        return sum((line.amount for line in lines), Decimal(0)) if lines else obj.requested_amount

    @staticmethod
    def resolve_timeline(obj: LoanRequest) -> list[DossierEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_loans(obj: LoanRequest) -> list[FinancingLine]:
        return list(obj.contract.lines.all()) if obj.contract else []


# --- Documents --------------------------------------------------------------------------------


class DocumentOut(PublicIdOut):
    id: UUID
    kind: DocumentKindCode
    kind_label: str
    title: str
    issued_on: date
    file_name: str
    mime_type: str
    size: int = Field(description="Taille en octets.")
    sha256: str = Field(description="Empreinte SHA-256 du fichier (hexadécimal).")
    loan_id: UUID | None = Field(description="Le prêt (ligne) que le document concerne.")
    loan_number: str | None
    contract_number: str | None
    loan_reference: str = Field(description="Numéro de prêt ou de contrat tel que le prêteur l'a donné.")
    dossier_number: str | None
    origin: Literal["imported", "service"] = Field(
        description="imported : transmis par le prêteur ; service : produit par l'espace client."
    )
    scan_status: ScanCode | None = Field(
        description="Analyse antivirus d'un fichier transmis (null pour un document produit par le service)."
    )
    downloadable: bool = Field(description="Téléchargeable maintenant par GET /api/v1/documents/{id}/content.")
    updated_at: datetime

    # Read from a document (its line and contract joined).
    @staticmethod
    def resolve_kind_label(obj: Document) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_loan_id(obj: Document) -> UUID | None:
        return obj.line.public_id if obj.line else None

    @staticmethod
    def resolve_loan_number(obj: Document) -> str | None:
        return obj.line.number if obj.line else None

    @staticmethod
    def resolve_contract_number(obj: Document) -> str | None:
        return obj.contract.number if obj.contract else None

    @staticmethod
    def resolve_dossier_number(obj: Document) -> str | None:
        return obj.dossier_number or None

    @staticmethod
    def resolve_scan_status(obj: Document) -> str | None:
        return obj.scan_status or None


class DocumentPage(Schema):
    items: list[DocumentOut]
    next_cursor: str | None = Field(description="À passer en `cursor` pour la page suivante ; null à la dernière.")


# --- Query parameters -------------------------------------------------------------------------


def _bounded(value: date | datetime | None) -> date | datetime | None:
    """Any ISO date is accepted; one outside 1900–2199 filters as that bound does (no loan is
    outside), so extreme values never reach the database, where they would overflow."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.date() < EARLIEST:
            return datetime.combine(EARLIEST, time.min, tzinfo=UTC)
        if value.date() > LATEST:
            return datetime.combine(LATEST, time.max, tzinfo=UTC)
        return value
    return min(max(value, EARLIEST), LATEST)


def _iso_only(value: object) -> object:
    """Dates are ISO 8601 text: a bare number (which pydantic would read as a Unix timestamp) is refused."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and value.strip().lstrip("+-").replace(".", "").isdigit()
    ):
        raise ValueError("date ISO 8601 attendue, par exemple 2026-11-25 ou 2026-11-25T08:00:00+01:00")
    return value


Cursor = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
Limit = Annotated[int, Field(ge=1, le=500, description="Éléments par page (100 par défaut, 500 au plus).")]


class LoanFilters(Schema):
    product: Annotated[str, Field(max_length=30, pattern=r"^[a-z0-9-]+$")] | None = Field(
        None, description="Code du produit (plus, plai, pls…)."
    )
    status: StatusCode | None = None
    maturity_from: date | None = Field(None, description="Dernière échéance à partir de cette date (incluse).")
    maturity_to: date | None = Field(None, description="Dernière échéance jusqu'à cette date (incluse).")
    updated_since: datetime | None = Field(
        None, description="Prêts modifiés depuis cet instant (ISO 8601 ; sans fuseau : heure de Paris)."
    )
    cursor: Cursor | None = None
    limit: Limit = 100

    _iso = field_validator("maturity_from", "maturity_to", "updated_since", mode="before")(_iso_only)
    _bounds = field_validator("maturity_from", "maturity_to", "updated_since")(_bounded)


class InstalmentFilters(Schema):
    due_from: date = Field(description="Échéances à partir de cette date (incluse).")
    due_to: date = Field(description="Échéances jusqu'à cette date (incluse).")
    cursor: Cursor | None = None
    limit: Limit = 100

    _iso = field_validator("due_from", "due_to", mode="before")(_iso_only)
    _bounds = field_validator("due_from", "due_to")(_bounded)


class PageParams(Schema):
    cursor: Cursor | None = None
    limit: Limit = 100


class DossierFilters(Schema):
    status: DossierStatusCode | None = None
    updated_since: datetime | None = Field(
        None, description="Dossiers actifs depuis cet instant (ISO 8601 ; sans fuseau : heure de Paris)."
    )
    sent_since: datetime | None = Field(
        None, description="Dossiers transmis depuis cet instant (ISO 8601 ; sans fuseau : heure de Paris)."
    )
    cursor: Cursor | None = None
    limit: Limit = 100

    _iso = field_validator("updated_since", "sent_since", mode="before")(_iso_only)
    _bounds = field_validator("updated_since", "sent_since")(_bounded)


# A number as the lender wrote it (any printable text: the lender's systems choose the format).
Reference = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[^\x00-\x1f\x7f]+$")]


class DocumentFilters(Schema):
    kind: DocumentKindCode | None = Field(None, description="Type de document.")
    year: Annotated[int, Field(ge=1900, le=2199)] | None = Field(None, description="Année du document.")
    loan_number: Reference | None = Field(None, description="Numéro de prêt (ligne) ou de contrat.")
    dossier_number: Reference | None = Field(None, description="Numéro de dossier (DP-AAAA-NNNNNN).")
    updated_since: datetime | None = Field(
        None, description="Documents ajoutés ou modifiés depuis cet instant (ISO 8601 ; sans fuseau : heure de Paris)."
    )
    cursor: Cursor | None = None
    limit: Limit = 100

    _iso = field_validator("updated_since", mode="before")(_iso_only)
    _bounds = field_validator("updated_since")(_bounded)
