"""Uploaded files (SECURITY.md): type by content, size limit, ClamAV scan, random names.

A file whose scan is not « clean » is never served, in every mode: when clamd is unreachable
the file is kept as « en attente d'analyse » and a task scans it again later; without clamd
(development only: production refuses to start) it stays « non analysé » and closed.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django_tasks.base import Task

from espace.core import clock
from espace.core.antivirus import ScannerUnavailable, scan_bytes, scanner_configured
from espace.core.tasks import task_enqueue_object

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "image PNG",
    "image/jpeg": "image JPEG",
    "application/msword": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument texte",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument tableur",
    "application/zip": "archive ZIP",
}
ZIP_MAX_ENTRIES = 200
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_READ_CHUNK = 1024 * 1024
# Archives inside an archive are refused: they hide content from the size and entry limits.
NESTED_ARCHIVE_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/x-rar",
    "application/vnd.rar",
    "application/x-7z-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-tar",
    "application/zstd",
    "application/x-lzma",
}
NESTED_ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".zst", ".lz", ".lzma", ".cab")
# While clamd is unreachable, each pending file is scanned again every 15 minutes for twelve hours
# (the tasks below); after that, or at once, `manage.py rescan_pending_uploads` scans them all.
RESCAN_DELAY = timedelta(minutes=15)
RESCAN_ATTEMPTS = 48
ALLOWED_TEXT = "PDF, images (PNG, JPEG), documents Word, Excel, OpenDocument ou archive ZIP"


class ScanStatus(models.TextChoices):
    PENDING = "pending", "en attente d'analyse"
    CLEAN = "clean", "sain"
    INFECTED = "infected", "infecté"
    NOT_SCANNED = "not_scanned", "non analysé (antivirus non configuré)"


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    mime_type: str
    scan_status: ScanStatus
    signature: str = ""


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """Validate an uploaded file; raise ValidationError with a French message when refused."""
    name = upload.name or "fichier"
    if upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"Le fichier « {name} » dépasse la taille maximale de {filesizeformat(settings.UPLOAD_MAX_BYTES)}."
        )
    content = upload.read(settings.UPLOAD_MAX_BYTES + 1)
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"Le fichier « {name} » dépasse la taille maximale de {filesizeformat(settings.UPLOAD_MAX_BYTES)}."
        )
    if not content:
        raise ValidationError(f"Le fichier « {name} » est vide.")
    mime_type = magic.from_buffer(content[:8192], mime=True)
    if mime_type not in ALLOWED_TYPES:
        raise ValidationError(f"Le type du fichier « {name} » n'est pas accepté. Formats acceptés : {ALLOWED_TEXT}.")
    if mime_type == "application/zip":
        _check_zip(content, name)
    status, signature = scan_status_for(content)
    if status == ScanStatus.INFECTED:
        raise InfectedFileError(
            f"Le fichier « {name} » contient un virus ({signature}) : il a été refusé et n'a pas été enregistré.",
            signature=signature,
        )
    return CheckedUpload(content=content, mime_type=mime_type, scan_status=status, signature=signature)


class InfectedFileError(ValidationError):
    def __init__(self, message: str, *, signature: str) -> None:
        super().__init__(message, code="infected")
        self.signature = signature


def _check_zip(content: bytes, name: str) -> None:
    """Count the bytes really decompressed (the sizes an archive declares can lie), stop at the
    limit, and refuse archives nested inside it."""
    limit = ZIP_MAX_UNCOMPRESSED
    too_big = ValidationError(
        f"L'archive « {name} » est trop volumineuse une fois décompressée (plus de {filesizeformat(limit)})."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise ValidationError(f"L'archive « {name} » contient plus de {ZIP_MAX_ENTRIES} fichiers.")
            total = 0
            for entry in entries:
                if entry.is_dir():
                    continue
                if entry.flag_bits & 0x1:
                    raise ValidationError(
                        f"L'archive « {name} » est protégée par un mot de passe : elle ne peut pas être analysée."
                    )
                if entry.filename.lower().endswith(NESTED_ARCHIVE_SUFFIXES):
                    raise ValidationError(f"L'archive « {name} » contient une autre archive ({entry.filename}).")
                head = b""
                with archive.open(entry) as member:
                    while chunk := member.read(ZIP_READ_CHUNK):
                        if not head:
                            head = chunk[:8192]
                        total += len(chunk)
                        if total > limit:
                            raise too_big
                if head and magic.from_buffer(head, mime=True) in NESTED_ARCHIVE_TYPES:
                    raise ValidationError(f"L'archive « {name} » contient une autre archive ({entry.filename}).")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError, zlib.error) as error:
        raise ValidationError(f"L'archive « {name} » est illisible.") from error


def scan_status_for(content: bytes) -> tuple[ScanStatus, str]:
    if not scanner_configured():
        return ScanStatus.NOT_SCANNED, ""
    try:
        result = scan_bytes(content)
    except ScannerUnavailable as error:
        logger.warning("clamd unavailable, file kept pending: %s", error)
        return ScanStatus.PENDING, ""
    if result.clean:
        return ScanStatus.CLEAN, ""
    return ScanStatus.INFECTED, result.signature


def rescan_stored(
    stored: models.Model,
    *,
    file_field: str,
    status_field: str,
    touched: tuple[str, ...] = ("updated_at",),
    retry: Task[Any, Any],
    attempt: int,
    **task_kwargs: Any,
) -> str:
    """The body of every rescan task: scan again a file kept « en attente d'analyse » because clamd
    was unreachable. Clean opens it, infected deletes it; still unreachable queues `retry` again
    in RESCAN_DELAY, RESCAN_ATTEMPTS times at most. Returns the status."""
    status = getattr(stored, status_field)
    file = getattr(stored, file_field)
    if status != ScanStatus.PENDING or not file:
        return str(status)
    with file.open("rb") as handle:
        status, _signature = scan_status_for(handle.read())
    if status == ScanStatus.PENDING:
        if attempt < RESCAN_ATTEMPTS:
            task_enqueue_object(retry, run_after=clock.now() + RESCAN_DELAY, attempt=attempt + 1, **task_kwargs)
        return status
    if status == ScanStatus.INFECTED:
        stored_file_discard(file)
    setattr(stored, status_field, status)
    stored.save(update_fields=[file_field, status_field, *touched])
    return status


def stored_file_discard(file: FieldFile) -> None:
    """Forget a stored file now and delete it from its storage once the transaction commits.

    Deleted at once, a file (on disk or in a bucket) would be lost if the transaction that stops
    referencing it were rolled back: the row would stay, pointing at nothing. Outside a
    transaction the deletion happens at once.
    """
    name = file.name
    if not name:
        return
    storage = file.storage
    file.name = None
    setattr(file.instance, file.field.attname, None)
    transaction.on_commit(lambda: storage.delete(name))


def is_downloadable(status: str) -> bool:
    """Only a file the antivirus declared clean is ever served."""
    return status == ScanStatus.CLEAN


SCAN_EXPLANATIONS = {
    ScanStatus.PENDING: "analyse antivirus en cours : le fichier pourra être ouvert dès qu'elle sera terminée",
    ScanStatus.INFECTED: "virus détecté : le fichier a été supprimé",
    ScanStatus.NOT_SCANNED: "non analysé (antivirus non configuré) : le fichier ne peut pas être ouvert",
}


def scan_explanation(status: str) -> str:
    """Why a file cannot be opened, in the user's words (empty when it can)."""
    return SCAN_EXPLANATIONS.get(ScanStatus(status), "") if status in ScanStatus.values else ""
