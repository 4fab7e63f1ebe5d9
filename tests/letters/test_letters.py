from __future__ import annotations

import csv
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command

from espace.accounts.models import User
from espace.letters.models import Letter, LetterStatus
from espace.registration.services import temporary_code_generate, temporary_code_issue
from tests.accounts.helpers import register_admin
from tests.establishments.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_temporary_code_alphabet_avoids_lookalikes():
    for _ in range(200):
        code = temporary_code_generate()
        assert len(code) >= 10
        assert not set(code) & set("01OIL~")


def test_letter_content_addresses_the_legal_representative(client, run_tasks, tmp_path):
    establishment = EstablishmentFactory(legal_representative_title="Monsieur le Maire", city="Prades")
    register_admin(client, establishment, run_tasks)
    run_tasks()
    letter = Letter.objects.get()
    path = tmp_path / "l.pdf"
    path.write_bytes(letter.pdf.open("rb").read())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Monsieur le Maire" in text and "PRADES" in text
    assert "Pierre Durand" in text and "pdurand" in text
    assert "code temporaire" in text
    assert "modifier lors de sa première connexion" in text
    assert "valable jusqu" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89" in info  # A4


def test_export_writes_pdfs_and_manifest_once(client, run_tasks, tmp_path, capsys):
    for _ in range(2):
        register_admin(
            client.__class__(),
            EstablishmentFactory(),
            run_tasks,
            username=f"admin{Letter.objects.count()}",
            email=f"a{Letter.objects.count()}@example.org",
        )
        run_tasks()
    out = tmp_path / "out"
    call_command("export_letters", "--out", str(out))
    manifests = list(out.glob("manifest-*.csv"))
    assert len(manifests) == 1
    rows = list(csv.DictReader(manifests[0].open(encoding="utf-8"), delimiter=";"))
    assert len(rows) == 2
    assert {r["file"] for r in rows} == {p.name for p in out.glob("L*.pdf")}
    assert all(r["pages"] == "1" for r in rows)
    assert Letter.objects.filter(status=LetterStatus.EXPORTED).count() == 2
    capsys.readouterr()
    call_command("export_letters", "--out", str(out))
    assert "Aucun courrier à exporter." in capsys.readouterr().out
    assert len(list(out.glob("L*.pdf"))) == 2


def test_regenerated_letter_voids_the_previous_one(client, run_tasks):
    register_admin(client, EstablishmentFactory(), run_tasks)
    run_tasks()
    user = User.objects.get()
    first_hash = user.temporary_code_hash
    temporary_code_issue(user_id=user.pk)
    user.refresh_from_db()
    assert user.temporary_code_hash != first_hash
    assert Letter.objects.filter(superseded=True).count() == 1


def test_pdfs_are_deleted_after_retention_but_metadata_kept(client, run_tasks, tmp_path, clock, settings):
    settings.LETTER_PDF_RETENTION = timedelta(days=90)
    register_admin(client, EstablishmentFactory(), run_tasks)
    run_tasks()
    call_command("export_letters", "--out", str(tmp_path))
    clock.shift(timedelta(days=91))
    call_command("export_letters", "--out", str(tmp_path))
    letter = Letter.objects.get()
    assert not letter.pdf and letter.pdf_deleted_at is not None
    assert letter.status == LetterStatus.EXPORTED


def test_staff_download_letters_in_admin(admin_client, client, run_tasks):
    register_admin(client, EstablishmentFactory(), run_tasks)
    run_tasks()
    letter = Letter.objects.get()
    assert admin_client.get("/gestion/letters/letter/").status_code == 200
    response = admin_client.get(f"/gestion/letters/letter/{letter.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/gestion/letters/letter/{letter.pk}/pdf/").status_code == 302
