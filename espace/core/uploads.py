"""Uploaded files (SECURITY.md): type by content, size limit, ClamAV scan, random names.

A file whose scan is not clean is never served; when clamd is configured but unreachable the
file is kept as « en attente d'analyse » and a task scans it again later.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat

from espace.core.antivirus import ScannerUnavailable, scan_bytes, scanner_configured

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
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ValidationError(f"L'archive « {name} » est illisible.") from error
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ValidationError(f"L'archive « {name} » contient plus de {ZIP_MAX_ENTRIES} fichiers.")
    if sum(entry.file_size for entry in entries) > ZIP_MAX_UNCOMPRESSED:
        raise ValidationError(f"L'archive « {name} » est trop volumineuse une fois décompressée.")


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


def is_downloadable(status: str) -> bool:
    return status in {ScanStatus.CLEAN, ScanStatus.NOT_SCANNED}
