"""`import_documents DIR`: the documents the lender's systems produce, filed in each library.

DIR holds `manifest.csv` (UTF-8, `;` or `,`, a header row) and the files it names. Columns:
`client_number`, `type`, `date`, `loan_number` (contract or line; required for contracts,
annexes, instalment notices and disbursement confirmations), `file` (a path inside DIR), and
optionally `title` and `dossier_number`. Each file is checked by content (type, size) and
scanned by clamd; a refused row is reported (`ligne N : raison`) and the others are imported.

A row is imported once: its key (client number, type, date, loan number, file name) is kept on
the document, so a re-run of the same manifest files nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import magic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat

from espace.core.csvimport import ImportFileError, RowError, RowRefused, parse_date, read_uploaded_rows
from espace.core.uploads import ALLOWED_TYPES, ScanStatus, scan_status_for
from espace.documents.enums import KIND_ALIASES, KINDS_NEEDING_A_LOAN, DocumentKind, Origin
from espace.documents.models import Document
from espace.documents.services import LIBRARY_REFUSED_TYPES, LIBRARY_TYPES_TEXT, document_store
from espace.establishments.models import Establishment
from espace.establishments.selectors import normalize_client_number
from espace.portfolio.models import Contract, FinancingLine

logger = logging.getLogger(__name__)

MANIFEST = "manifest.csv"
REQUIRED_COLUMNS = {"client_number", "type", "date", "file"}
OPTIONAL_COLUMNS = {"loan_number", "title", "dossier_number"}


@dataclass
class ImportReport:
    imported: int = 0
    already: int = 0
    pending_scan: int = 0
    errors: list[RowError] = field(default_factory=list)


def _kind(text: str) -> DocumentKind:
    word = text.strip().lower()
    if word in DocumentKind.values:
        return DocumentKind(word)
    if word in KIND_ALIASES:
        return KIND_ALIASES[word]
    raise ValueError(f"type « {text} » inconnu (attendu : {', '.join(sorted(KIND_ALIASES))})")


def _inside(directory: Path, name: str) -> Path:
    """The manifest's file, which must stay inside DIR (no `..`, no absolute path, no link out)."""
    if not name or name.startswith(("/", "\\")) or "\x00" in name:
        raise ValueError(f"nom de fichier « {name} » invalide")
    path = (directory / name).resolve()
    if not path.is_relative_to(directory):
        raise ValueError(f"le fichier « {name} » est en dehors du dossier importé")
    if not path.is_file():
        raise ValueError(f"fichier « {name} » introuvable")
    return path


def _loan(number: str, establishment: Establishment) -> tuple[Contract | None, FinancingLine | None]:
    """A line or a contract of the establishment (its own, or a line it guarantees)."""
    line = (
        FinancingLine.objects.select_related("contract")
        .filter(Q(borrower=establishment) | Q(guarantees__guarantor=establishment), number=number)
        .first()
    )
    if line is not None:
        return line.contract, line
    contract = Contract.objects.filter(
        Q(borrower=establishment) | Q(lines__guarantees__guarantor=establishment), number=number
    ).first()
    if contract is not None:
        return contract, None
    raise ValueError(f"prêt ou contrat « {number} » inconnu pour le client {establishment.client_number}")


def documents_import(*, directory: Path) -> ImportReport:
    """File each manifest row's document; report the refused rows (see the module's docstring)."""
    directory = directory.resolve()
    try:
        raw = (directory / MANIFEST).read_bytes()
    except OSError as error:
        raise ImportFileError(f"impossible de lire {directory / MANIFEST} : {error.strerror}") from error
    report = ImportReport()
    for line_number, row in read_uploaded_rows(raw, required=REQUIRED_COLUMNS, subject="le manifeste"):
        try:
            outcome = _import_row(directory, row)
        except ValueError as error:
            report.errors.append(RowError(file="", line=line_number, reason=str(error)))
            continue
        if outcome == "already":
            report.already += 1
        else:
            report.imported += 1
            report.pending_scan += outcome == ScanStatus.PENDING
    return report


@transaction.atomic
def _import_row(directory: Path, row: dict[str, str]) -> str:
    """Import one row; return "already", or the new document's scan status. ValueError: refused."""
    for column in REQUIRED_COLUMNS:
        if not row.get(column):
            raise ValueError(f"colonne {column} vide")
    number = normalize_client_number(row["client_number"])
    establishment = Establishment.objects.filter(client_number=number).first() if number else None
    if establishment is None:
        raise ValueError(f"numéro client « {row['client_number']} » inconnu")
    kind = _kind(row["type"])
    try:
        issued_on = parse_date(row["date"], "date")
    except RowRefused:
        raise ValueError(f"date « {row['date']} » invalide (AAAA-MM-JJ ou JJ/MM/AAAA)") from None
    loan_number = row.get("loan_number", "")
    dossier_number = row.get("dossier_number", "")
    title = row.get("title", "") or f"{kind.label} du {issued_on:%d/%m/%Y}" + (
        f" — {loan_number}" if loan_number else ""
    )
    if len(loan_number) > 30 or len(dossier_number) > 20 or len(title) > 200:
        raise ValueError("numéro de prêt (30), de dossier (20) ou intitulé (200 caractères) trop long")
    if kind in KINDS_NEEDING_A_LOAN and not loan_number:
        raise ValueError(f"un document « {kind.label} » doit indiquer son prêt ou son contrat (loan_number)")
    file_name = Path(row["file"]).name
    key = f"import:{establishment.client_number}:{kind}:{issued_on.isoformat()}:{loan_number}:{row['file']}"[:300]
    if Document.objects.filter(source_key=key).exists():
        return "already"
    contract, line = _loan(loan_number, establishment) if loan_number else (None, None)
    path = _inside(directory, row["file"])
    content = path.read_bytes()
    mime_type, scan_status = _file_check(content, file_name)
    try:
        document_store(
            establishment=establishment,
            kind=kind,
            title=title,
            issued_on=issued_on,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            contract=contract,
            line=line,
            loan_reference=loan_number,
            dossier_number=dossier_number,
            source_key=key,
            origin=Origin.IMPORTED,
            scan_status=scan_status,
        )
    except (PermissionDenied, ValidationError) as error:
        raise ValueError(f"document refusé : {error}") from error
    return scan_status


def _file_check(content: bytes, file_name: str) -> tuple[str, ScanStatus]:
    """Size, antivirus, then type by content. The scan comes first so that an infected file is
    reported as such whatever it claims to be; an archive has no place in a library."""
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise ValueError(
            f"fichier « {file_name} » trop volumineux (plus de {filesizeformat(settings.UPLOAD_MAX_BYTES)})"
        )
    if not content:
        raise ValueError(f"fichier « {file_name} » vide")
    scan_status, signature = scan_status_for(content)
    if scan_status == ScanStatus.INFECTED:
        logger.warning("import_documents: %s refused, virus %s", file_name, signature)
        raise ValueError(f"fichier « {file_name} » refusé : virus détecté ({signature})")
    if scan_status == ScanStatus.NOT_SCANNED:
        # Without an antivirus (development only) the file could never be served: say so now.
        raise ValueError(f"fichier « {file_name} » non analysé : antivirus non configuré (CLAMD_HOST)")
    mime_type = magic.from_buffer(content[:8192], mime=True)
    if mime_type not in ALLOWED_TYPES or mime_type in LIBRARY_REFUSED_TYPES:
        raise ValueError(f"fichier « {file_name} » refusé : type {mime_type} non accepté ({LIBRARY_TYPES_TEXT})")
    return mime_type, scan_status
