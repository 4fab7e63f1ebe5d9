"""`import_documents DIR`: a manifest, files checked by type and scanned by clamd, a report of refusals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from espace.core.uploads import ScanStatus
from espace.documents.enums import DocumentKind
from espace.documents.models import Document
from tests.core.test_core import EICAR
from tests.documents.factories import pdf_bytes

pytestmark = pytest.mark.django_db

HEADER = "client_number;type;date;loan_number;file;title;dossier_number"


def lay_out(directory: Path, rows: list[str], files: dict[str, bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return directory


def run(directory: Path) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_documents", str(directory), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error.returncode
    return out.getvalue(), err.getvalue(), 0


def test_a_manifest_imported_twice_files_each_document_once(world, tmp_path):
    oph, commune = world.oph.client_number, world.commune.client_number
    directory = lay_out(
        tmp_path / "lot",
        [
            f"{oph};contrat;2020-03-01;C1000001;contrats/C1000001.pdf;;",
            f"{oph};avis_echeance;01/02/2026;L1000001;avis/L1000001-2026.pdf;Avis d'échéance 2026;",
            f"00{oph};offer;2025-12-15;;offre.pdf;;D2025-0042",
            f"{commune};courrier;2026-01-10;L1000001;garant.pdf;Information du garant;",
        ],
        {
            "contrats/C1000001.pdf": pdf_bytes("contrat"),
            "avis/L1000001-2026.pdf": pdf_bytes("avis"),
            "offre.pdf": pdf_bytes("offre"),
            "garant.pdf": pdf_bytes("garant"),
        },
    )
    out, err, status = run(directory)
    assert status == 0, err
    assert "4 document(s) importé(s), 0 déjà importé(s), 0 ligne(s) refusée(s)" in out
    out, err, status = run(directory)
    assert "0 document(s) importé(s), 4 déjà importé(s)" in out and status == 0
    assert Document.objects.count() == 4
    contract = Document.objects.get(kind=DocumentKind.CONTRACT)
    assert contract.establishment == world.oph and contract.contract.number == "C1000001" and contract.line is None
    assert contract.scan_status == ScanStatus.CLEAN and contract.file_name == "C1000001.pdf"
    notice = Document.objects.get(kind=DocumentKind.INSTALMENT_NOTICE)
    assert (
        notice.line == world.plus and notice.contract == world.plus.contract and notice.title == "Avis d'échéance 2026"
    )
    assert Document.objects.get(kind=DocumentKind.OFFER).dossier_number == "D2025-0042"
    assert Document.objects.get(kind=DocumentKind.LETTER).establishment == world.commune  # a line it guarantees


def test_an_infected_file_and_other_bad_rows_are_refused_and_reported(world, tmp_path):
    oph = world.oph.client_number
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.pdf", pdf_bytes())
    directory = lay_out(
        tmp_path / "lot",
        [
            f"{oph};avis_echeance;2026-02-01;L1000001;eicar.pdf;;",
            f"{oph};avis_echeance;2026-02-01;L1000001;bon.pdf;;",
            "999999;courrier;2026-02-01;;bon.pdf;;",
            f"{oph};facture;2026-02-01;;bon.pdf;;",
            f"{oph};contrat;2026-02-30;C1000001;bon.pdf;;",
            f"{oph};contrat;2026-02-01;;bon.pdf;;",
            f"{oph};contrat;2026-02-01;L9000001;bon.pdf;;",
            f"{oph};courrier;2026-02-01;;../secret.pdf;;",
            f"{oph};courrier;2026-02-01;;absent.pdf;;",
            f"{oph};courrier;2026-02-01;;page.html;;",
            f"{oph};courrier;2026-02-01;;lot.zip;;",
            ";courrier;2026-02-01;;bon.pdf;;",
        ],
        {
            "eicar.pdf": EICAR,
            "bon.pdf": pdf_bytes("bon"),
            "page.html": b"<html><body>x</body></html>",
            "lot.zip": archive.getvalue(),
        },
    )
    (tmp_path / "secret.pdf").write_bytes(pdf_bytes("secret"))
    out, err, status = run(directory)
    assert status == 1
    assert "1 document(s) importé(s), 0 déjà importé(s), 11 ligne(s) refusée(s)" in out
    reasons = dict(line.split(" : ", 1) for line in err.strip().splitlines())
    assert "virus détecté (Eicar-Test-Signature" in reasons["ligne 2"]
    assert "numéro client « 999999 » inconnu" in reasons["ligne 4"]
    assert "type « facture » inconnu" in reasons["ligne 5"]
    assert "date « 2026-02-30 » invalide" in reasons["ligne 6"]
    assert "doit indiquer son prêt" in reasons["ligne 7"]
    assert "« L9000001 » inconnu" in reasons["ligne 8"]  # another borrower's line, not guaranteed by the OPH
    assert "en dehors du dossier" in reasons["ligne 9"]
    assert "introuvable" in reasons["ligne 10"]
    assert "type text/html non accepté" in reasons["ligne 11"]
    assert "type application/zip non accepté" in reasons["ligne 12"]
    assert "colonne client_number vide" in reasons["ligne 13"]
    assert list(Document.objects.values_list("file_name", flat=True)) == ["bon.pdf"]
    # The refused rows are imported once corrected: a re-run does not stop at the first refusal.
    (directory / "eicar.pdf").write_bytes(pdf_bytes("corrigé"))
    out, _err, _status = run(directory)
    assert "1 document(s) importé(s), 1 déjà importé(s), 10 ligne(s) refusée(s)" in out


def test_a_manifest_that_cannot_be_read_stops_the_command(tmp_path):
    (tmp_path / "manifest.csv").write_text("client;date\n1;2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="colonnes manquantes"):
        call_command("import_documents", str(tmp_path))
    (tmp_path / "manifest.csv").write_bytes(b"client_number;type\n\xff\xfe")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_documents", str(tmp_path))
    with pytest.raises(CommandError, match="n'est pas un dossier"):
        call_command("import_documents", str(tmp_path / "absent"))


def test_while_clamd_is_unreachable_files_wait_for_their_scan(world, tmp_path, settings, run_tasks):
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", 1  # nothing listens there
    directory = lay_out(
        tmp_path / "lot", [f"{world.oph.client_number};courrier;2026-02-01;;a.pdf;;"], {"a.pdf": pdf_bytes("a")}
    )
    out, _err, status = run(directory)
    assert status == 0 and "dont 1 en attente d'analyse antivirus" in out
    document = Document.objects.get()
    assert document.scan_status == ScanStatus.PENDING and not document.downloadable
    settings.CLAMD_PORT = 3310
    run_tasks()
    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN and document.downloadable
