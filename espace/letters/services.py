"""Postal letters to the legal representative, and their export for the mailing house."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from pypdf import PdfWriter

from espace.accounts.models import User
from espace.core import clock
from espace.core.audit import audit_record
from espace.core.faults import fault_point
from espace.core.pdf import pdf_page_count, render_pdf
from espace.core.uploads import stored_file_discard
from espace.letters.enums import AuditAction, LetterStatus
from espace.letters.models import Letter


def temporary_code_display(code: str) -> str:
    """Printed in groups of four, easier to copy."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def letter_create_activation(*, user: User, code: str, expires_at: datetime, task_id: str | None = None) -> Letter:
    """Render the letter that carries a temporary code to the establishment's legal representative.

    The clear code exists only inside this PDF. Any letter of the same account holder not yet
    exported is superseded (never exported).
    """
    establishment = user.establishment
    if establishment is None:
        raise ValueError("An activation letter goes to a client establishment.")
    Letter.objects.filter(account_holder=user, superseded=False).update(superseded=True)

    letter = Letter(
        establishment=establishment,
        account_holder=user,
        address_lines=establishment.address_lines,
        code_expires_at=expires_at,
        task_id=task_id,
    )
    letter.save()
    fault_point("letter_render")
    pdf_bytes = render_pdf(
        template="letters/activation_letter.html",
        context={
            "letter": letter,
            "establishment": establishment,
            "user": user,
            "code": temporary_code_display(code),
            "expires_on": formats.date_format(timezone.localtime(expires_at), "j F Y"),
            "today": formats.date_format(clock.today(), "j F Y"),
            "lender_address": settings.LENDER_POSTAL_ADDRESS.splitlines(),
            "site_url": settings.SITE_URL,
        },
    )
    letter.pages = pdf_page_count(pdf_bytes)
    letter.pdf.save(f"{letter.reference}.pdf", ContentFile(pdf_bytes), save=False)
    letter.save(update_fields=["pdf", "pages"])
    audit_record(action=AuditAction.LETTER_GENERATED, target=user, details={"letter": letter.reference})
    return letter


@dataclass
class ExportResult:
    letters: list[Letter]
    manifest: Path | None
    merged: Path | None = None


MANIFEST_COLUMNS = [
    "letter_id",
    "client_number",
    "establishment",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "address_line_6",
    "pages",
    "file",
]


def letters_export(*, out_dir: Path) -> ExportResult:
    """Write every letter not yet exported as a PDF plus one CSV manifest, and mark them exported.

    Each letter is marked in the same transaction that writes its file, so an interrupted run
    never exports a letter twice and never forgets one.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    exported: list[Letter] = []
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    pending_ids = list(
        Letter.objects.filter(status=LetterStatus.PENDING, superseded=False)
        .exclude(pdf="")
        .values_list("pk", flat=True)
    )
    rows = []
    for pk in pending_ids:
        with transaction.atomic():
            letter = Letter.objects.select_for_update(of=("self",)).select_related("establishment").get(pk=pk)
            # Refused or replaced since the list was read: it does not leave.
            if letter.status != LetterStatus.PENDING or letter.superseded or not letter.pdf:
                continue
            filename = f"{letter.reference}.pdf"
            with letter.pdf.open("rb") as source:
                (out_dir / filename).write_bytes(source.read())
            letter.status = LetterStatus.EXPORTED
            letter.exported_at = clock.now()
            letter.save(update_fields=["status", "exported_at", "updated_at"])
            audit_record(action=AuditAction.LETTER_EXPORTED, target=letter, establishment=letter.establishment)
        lines = list(letter.address_lines) + [""] * 6
        rows.append(
            [
                letter.reference,
                letter.establishment.client_number_printed,
                letter.establishment.legal_name,
                *lines[:6],
                letter.pages,
                filename,
            ]
        )
        exported.append(letter)
    if not exported:
        return ExportResult(letters=[], manifest=None)
    manifest = out_dir / f"manifest-{stamp}.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerows(rows)
    # One print-ready file for the batch, letters in manifest order.
    merged = out_dir / f"lot-{stamp}.pdf"
    writer_pdf = PdfWriter()
    for row in rows:
        writer_pdf.append(str(out_dir / str(row[-1])))
    with merged.open("wb") as handle:
        writer_pdf.write(handle)
    return ExportResult(letters=exported, manifest=manifest, merged=merged)


def letters_purge_pdfs() -> int:
    """Delete the PDFs (which hold clear codes) of letters exported longer ago than the retention."""
    limit = clock.now() - settings.LETTER_PDF_RETENTION
    purged = 0
    for letter in Letter.objects.filter(exported_at__lt=limit, pdf_deleted_at__isnull=True).exclude(pdf=""):
        stored_file_discard(letter.pdf)
        letter.pdf_deleted_at = clock.now()
        letter.save(update_fields=["pdf", "pdf_deleted_at", "updated_at"])
        purged += 1
    return purged
