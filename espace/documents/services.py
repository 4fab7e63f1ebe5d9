"""Every write of the library and the resources: filing a document, downloads and e-mail sendings
(audited), deliberation templates and resource versions saved by staff."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Model
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format

from espace.accounts.enums import Permission
from espace.accounts.models import User
from espace.accounts.selectors import users_holding
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.exceptions import ApplicationError
from espace.core.tasks import task_enqueue
from espace.core.throttle import throttle_hit
from espace.core.uploads import CheckedUpload, ScanStatus, upload_check
from espace.documents.deliberations import (
    TemplateSyntaxProblem,
    deliberation_build,
    deliberation_docx,
    deliberation_odt,
    deliberation_pdf,
    deliberation_values,
    request_deliberation_values,
    template_check,
)
from espace.documents.enums import AuditAction, DeliberationFormat, DocumentKind, Origin, ResourceCategory
from espace.documents.models import DeliberationTemplate, Document, Resource, ResourceVersion
from espace.documents.perms import contract_concerns, line_concerns, may_open
from espace.documents.selectors import deliberation_template_current
from espace.establishments.models import Establishment
from espace.loan_requests.models import PlannedGuarantee
from espace.notifications.enums import NotificationKind
from espace.notifications.services import Message, notify
from espace.portfolio.enums import StatementStatus
from espace.portfolio.models import Contract, FinancingLine, Guarantee, GuaranteedDebtStatement
from espace.products.models import Product

# Archives have no place in a library: a document is one file a person opens.
LIBRARY_REFUSED_TYPES = {"application/zip"}
LIBRARY_TYPES_TEXT = "PDF, images PNG ou JPEG, documents Word, Excel ou OpenDocument"
MIME_TYPES = {
    DeliberationFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DeliberationFormat.ODT: "application/vnd.oasis.opendocument.text",
    DeliberationFormat.PDF: "application/pdf",
}


def library_file_check(upload: UploadedFile) -> CheckedUpload:
    """Type by content, size, antivirus (core uploads), and no archive. Raises ValidationError."""
    checked = upload_check(upload)
    if checked.mime_type in LIBRARY_REFUSED_TYPES:
        raise ValidationError(
            f"Le fichier « {upload.name} » est une archive : déposez les documents un par un ({LIBRARY_TYPES_TEXT})."
        )
    return checked


@transaction.atomic
def document_store(
    *,
    establishment: Establishment,
    kind: DocumentKind | str,
    title: str,
    issued_on: date,
    content: bytes,
    file_name: str,
    mime_type: str = "application/pdf",
    contract: Contract | None = None,
    line: FinancingLine | None = None,
    dossier_number: str = "",
    loan_reference: str = "",
    source_key: str = "",
    origin: Origin = Origin.SERVICE,
    scan_status: str = "",
) -> Document:
    """File a document in an establishment's library; other apps call this for what they make.

    With a `source_key`, filing twice returns the first document (the key is unique). A line or
    contract must be the establishment's own, or a line it guarantees.
    """
    if source_key:
        existing = Document.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    if line is not None:
        if not line_concerns(line, establishment):
            raise PermissionDenied("line of another establishment")
        contract = contract or line.contract
    if contract is not None and line is None and not contract_concerns(contract, establishment):
        raise PermissionDenied("contract of another establishment")
    document = Document(
        establishment=establishment,
        kind=kind,
        title=title[:200],
        issued_on=issued_on,
        contract=contract,
        line=line,
        loan_reference=loan_reference or (line.number if line else contract.number if contract else ""),
        dossier_number=dossier_number,
        origin=origin,
        file_name=file_name[:255],
        mime_type=mime_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        scan_status=scan_status,
        source_key=source_key,
    )
    document.file.save("document", ContentFile(content), save=False)
    document.full_clean()
    document.save()
    if scan_status == ScanStatus.PENDING:
        task_enqueue("espace.documents.tasks.rescan_document", document_id=document.pk)
    if scan_status not in {ScanStatus.PENDING, ScanStatus.INFECTED}:
        document_announce(document)
    return document


def document_announce(document: Document) -> None:
    """« Un nouveau document est dans notre bibliothèque », once the file can be opened: at once,
    or when a file kept « en attente d'analyse » is found clean (rescan_document)."""
    library = reverse("documents:library")
    notify(
        users=users_holding(document.establishment, Permission.VIEW_DOCUMENTS),
        kind=NotificationKind.NEW_DOCUMENT,
        key=f"document:{document.public_id}",
        message=Message(
            template="notification_new_document",
            context={
                "title": document.title,
                "kind": str(document.get_kind_display()),
                "issued_on": date_format(document.issued_on, "j F Y"),
                "establishment_name": document.establishment.legal_name,
                "library_path": library,
            },
            summary=f"Nouveau document : {document.title}",
            link_path=library,
        ),
    )


def guaranteed_debt_statement_file(*, statement_id: int) -> Document | None:
    """File a ready « état annuel de la dette garantie » in the guarantor's library (once)."""
    statement = GuaranteedDebtStatement.objects.select_related("guarantor").get(pk=statement_id)
    if statement.status != StatementStatus.READY or not statement.pdf:
        return None
    with statement.pdf.open("rb") as handle:
        content = handle.read()
    return document_store(
        establishment=statement.guarantor,
        kind=DocumentKind.GUARANTEED_DEBT_STATEMENT,
        title=f"État annuel de la dette garantie {statement.year}",
        issued_on=clock.today(),
        content=content,
        file_name=f"etat-dette-garantie-{statement.year}.pdf",
        source_key=f"statement:{statement.public_id}",
    )


def document_download_record(*, document: Document, user: User | None, api_token_prefix: str = "") -> None:
    """Every download of a library file goes to the establishment's journal: by a user of the site
    (`user`), or by the establishment's software through the API (no user: the token's displayed
    prefix, never the token)."""
    if (user is None) == (not api_token_prefix):
        raise ValueError("A download is recorded for a user or for an API token, exactly one of them.")
    details = {"file": document.file_name, "kind": document.kind}
    if api_token_prefix:
        details |= {"via": "api", "prefix": api_token_prefix}
    audit_record(
        action=AuditAction.DOCUMENT_DOWNLOADED,
        actor=user,
        target=document,
        establishment=document.establishment,
        details=details,
    )


@transaction.atomic
def document_email_request(*, document: Document, user: User) -> None:
    """« Recevoir par e-mail » (the FAQ's firewall case): the document goes to the user's own
    address, as an attachment, through the task worker; never to another address."""
    if not may_open(user, document):
        raise PermissionDenied
    if not document.downloadable:
        raise ApplicationError("Ce document est en cours d'analyse antivirus : il pourra être envoyé ensuite.")
    if document.size > settings.DOCUMENT_EMAIL_MAX_BYTES:
        raise ApplicationError(
            f"Ce document pèse {filesizeformat(document.size)} : au-delà de {filesizeformat(settings.DOCUMENT_EMAIL_MAX_BYTES)}, les messageries refusent souvent les pièces jointes, "
            "il n'est donc pas envoyé par e-mail. Téléchargez-le depuis un autre poste, ou demandez-le à "
            "l'assistance par le formulaire de contact."
        )
    if not user.email:
        raise ApplicationError("Votre compte n'a pas d'adresse e-mail : renseignez-la dans « Mon compte ».")
    sent = throttle_hit(key=f"document-email:{user.pk}", window=timedelta(hours=1))
    if sent > settings.DOCUMENT_EMAIL_LIMIT_PER_HOUR:
        raise ApplicationError(
            f"Vous avez demandé {settings.DOCUMENT_EMAIL_LIMIT_PER_HOUR} envois dans l'heure : réessayez plus tard."
        )
    audit_record(
        action=AuditAction.DOCUMENT_EMAIL_REQUESTED,
        actor=user,
        target=document,
        establishment=document.establishment,
        details={"file": document.file_name, "size": document.size},
    )
    task_enqueue("espace.documents.tasks.send_document_by_email", document_id=document.pk, user_id=user.pk)


@dataclass(frozen=True)
class PreparedEmail:
    to: str
    context: dict[str, str]
    attachment: tuple[str, bytes, str]


def document_email_prepare(*, document_id: int, user_id: int) -> PreparedEmail | None:
    """What the sending task sends, read when it runs (the queue holds ids, never the file).

    None when the user has since left the establishment or been deactivated: nothing is sent.
    """
    document = Document.objects.select_related("establishment").filter(pk=document_id).first()
    user = User.objects.filter(pk=user_id).first()
    if document is None or user is None or not user.is_active or not may_open(user, document):
        return None
    if not user.email or not document.downloadable:
        return None
    with document.file.open("rb") as handle:
        content = handle.read()
    return PreparedEmail(
        to=user.email,
        context={
            "first_name": user.first_name,
            "title": document.title,
            "kind": document.get_kind_display(),
            "issued_on": f"{document.issued_on:%d/%m/%Y}",
            "establishment": document.establishment.legal_name,
            "file_name": document.file_name,
        },
        attachment=(document.file_name, content, document.mime_type),
    )


def document_email_sent(*, document_id: int, user_id: int) -> None:
    document = Document.objects.select_related("establishment").get(pk=document_id)
    user = User.objects.get(pk=user_id)
    audit_record(
        action=AuditAction.DOCUMENT_EMAILED,
        actor=user,
        target=document,
        establishment=document.establishment,
        details={"file": document.file_name, "size": document.size},
    )


# --- Guarantee deliberations --------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedFile:
    content: bytes
    file_name: str
    mime_type: str


RENDERERS = {
    DeliberationFormat.DOCX: deliberation_docx,
    DeliberationFormat.ODT: deliberation_odt,
    DeliberationFormat.PDF: deliberation_pdf,
}


def _deliberation_file(
    *,
    values_for: Callable[[], dict[str, str]],
    file_stem: str,
    fmt: DeliberationFormat,
    user: User,
    target: Model,
    details: dict[str, str],
) -> GeneratedFile:
    """The current template prefilled with `values_for()`, rendered in `fmt`, audited."""
    template = deliberation_template_current()
    if template is None:
        raise ApplicationError("Aucun modèle de délibération n'est encore publié.")
    deliberation = deliberation_build(template, values_for(), file_stem=file_stem)
    content = RENDERERS[fmt](deliberation)
    audit_record(
        action=AuditAction.DELIBERATION_GENERATED,
        actor=user,
        target=target,
        establishment=user.establishment,
        details={**details, "format": str(fmt), "template_version": template.number},
    )
    return GeneratedFile(content=content, file_name=f"{deliberation.file_stem}.{fmt}", mime_type=MIME_TYPES[fmt])


def deliberation_generate(*, guarantee: Guarantee, fmt: DeliberationFormat, user: User) -> GeneratedFile:
    """The current template prefilled for one guarantee of a line, in DOCX, ODT or PDF; audited."""
    line = guarantee.line
    return _deliberation_file(
        values_for=lambda: deliberation_values(line, guarantee, today=clock.today()),
        file_stem=f"deliberation-garantie-{line.number}",
        fmt=fmt,
        user=user,
        target=line,
        details={"line": line.number},
    )


def request_deliberation_generate(*, guarantee: PlannedGuarantee, fmt: DeliberationFormat, user: User) -> GeneratedFile:
    """The current template prefilled for a guarantee planned in a loan request (the borrower sends
    it to its guarantor before the offer); audited like the others."""
    loan_request = guarantee.line.request
    return _deliberation_file(
        values_for=lambda: request_deliberation_values(guarantee, today=clock.today()),
        file_stem=f"deliberation-garantie-{loan_request.dossier_number or 'demande'}-{guarantee.line.product.code}",
        fmt=fmt,
        user=user,
        target=loan_request,
        details={"dossier": loan_request.dossier_number or "", "request": loan_request.name},
    )


@transaction.atomic
def deliberation_template_save(*, title: str, body: str, note: str = "", author: User) -> DeliberationTemplate:
    """Save the wording as a new version (the previous ones stay, for the documents naming them)."""
    try:
        template_check(body)
        template_check(title)
    except TemplateSyntaxProblem as problem:
        raise ApplicationError(str(problem), field="body") from problem
    # The latest row is locked so that two staff members saving at once get two numbers.
    latest = DeliberationTemplate.objects.select_for_update().order_by("-number").first()
    template = DeliberationTemplate(
        number=(latest.number if latest else 0) + 1,
        title=title.strip(),
        body=body.strip() + "\n",
        note=note.strip(),
        author=author,
        author_label=author.get_full_name() or author.username,
    )
    template.full_clean()
    template.save()
    audit_record(
        action=AuditAction.DELIBERATION_TEMPLATE_SAVED,
        actor=author,
        target=template,
        details={"version": template.number},
    )
    return template


# --- Resources (forms, product sheets) ----------------------------------------------------


def _version_add(
    *, resource: Resource, upload: CheckedUpload, file_name: str, note: str, author: User
) -> ResourceVersion:
    number = (resource.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ResourceVersion(
        resource=resource,
        number=number,
        file_name=file_name[:255] or f"ressource{mimetypes.guess_extension(upload.mime_type) or ''}",
        mime_type=upload.mime_type,
        size=len(upload.content),
        scan_status=upload.scan_status,
        note=note.strip(),
        author=author,
        author_label=author.get_full_name() or author.username,
    )
    version.file.save("ressource", ContentFile(upload.content), save=False)
    version.save()
    audit_record(
        action=AuditAction.RESOURCE_VERSION_ADDED,
        actor=author,
        target=resource,
        details={"version": number, "file": version.file_name},
    )
    if version.scan_status == ScanStatus.PENDING:
        task_enqueue("espace.documents.tasks.rescan_resource_version", version_id=version.pk)
    return version


@transaction.atomic
def resource_create(
    *,
    title: str,
    category: ResourceCategory | str,
    description: str,
    product: Product | None,
    upload: CheckedUpload,
    file_name: str,
    author: User,
) -> Resource:
    resource = Resource(title=title.strip(), category=category, description=description.strip(), product=product)
    resource.full_clean()
    resource.save()
    _version_add(resource=resource, upload=upload, file_name=file_name, note="", author=author)
    return resource


@transaction.atomic
def resource_version_add(
    *,
    resource: Resource,
    upload: CheckedUpload,
    file_name: str,
    note: str = "",
    author: User,
) -> ResourceVersion:
    """A new file for a resource; clients get it as soon as its scan is clean."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    return _version_add(resource=resource, upload=upload, file_name=file_name, note=note, author=author)
