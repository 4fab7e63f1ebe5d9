"""Files in object storage (issue 21): every stored file of the service goes to a private
S3-compatible bucket (moto_server over HTTP, started by the run), and the bucket's content is read
through boto3, never through the service.

A dossier file is uploaded by a client, scanned by the real clamd, downloaded by a validator of the
establishment and by the loan officer, refused to another establishment, replaced and deleted; a
file kept pending while clamd is down is scanned again from the bucket; letters, their export and
purge, the guaranteed-debt statement and « Recevoir par e-mail » work from the bucket too.
"""

from __future__ import annotations

import io
import os
import subprocess
import urllib.request
import zipfile
from datetime import date, timedelta
from pathlib import Path
from urllib.error import HTTPError

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from espace.accounts.enums import Permission
from espace.core.uploads import ScanStatus
from espace.documents.models import Document
from espace.letters.models import Letter, LetterStatus
from espace.loan_requests.entry import request_send
from espace.loan_requests.enums import FileKind
from espace.loan_requests.steps import required_documents
from espace.portfolio.statements import statement_request
from tests.accounts.factories import UserFactory
from tests.accounts.helpers import register_admin
from tests.conftest import verified_login
from tests.core.test_core import EICAR
from tests.documents.factories import DocumentFactory, pdf_bytes
from tests.establishments.factories import EstablishmentFactory
from tests.loan_requests.factories import LoanRequestFactory
from tests.objectstore import LOCATION
from tests.portfolio.factories import portfolio_world
from tests.serving import free_port

pytestmark = pytest.mark.django_db

VALIDATOR = [Permission.CREATE_LOAN_REQUESTS, Permission.VALIDATE_LOAN_REQUESTS, Permission.VIEW_DOSSIERS]


def infected_zip() -> bytes:
    """An archive holding the EICAR test file (clamd reads inside archives; .ci/clamd-test.hdb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    return buffer.getvalue()


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def dossier_keys(store, bucket: str) -> list[str]:
    return [key for key in store.keys(bucket) if key.startswith(f"{LOCATION}/dossiers/")]


def test_a_dossier_file_lives_in_the_bucket_from_upload_to_deletion(
    s3_bucket, object_store_server, staff_factory, clock, django_capture_on_commit_callbacks
):
    store = object_store_server
    draft = LoanRequestFactory(complete=True)  # every required document given already, in the bucket
    author = draft.created_by
    given = dossier_keys(store, s3_bucket)
    assert len(given) == len(required_documents(draft)) > 0
    document = required_documents(draft)[0]
    replaced = draft.files.get(required_document=document)
    content = pdf_bytes("Plan de financement signé")

    with django_capture_on_commit_callbacks(execute=True):
        response = logged(author).post(
            reverse("loan_requests:step", args=[draft.public_id, "documents"]),
            {"document": document.pk, "file": SimpleUploadedFile("plan.pdf", content, "application/pdf")},
        )
    assert response.status_code == 302
    stored = draft.files.get(required_document=document)
    assert stored.scan == ScanStatus.CLEAN and stored.name == "plan.pdf"  # scanned by the real clamd
    key = f"{LOCATION}/{stored.file.name}"
    keys = dossier_keys(store, s3_bucket)
    assert key in keys and f"{LOCATION}/{replaced.file.name}" not in keys  # the replaced one is gone
    assert store.body(s3_bucket, key) == content
    head = store.client().head_object(Bucket=s3_bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert not Path("/nonexistent-media-root").exists()

    # Private: the object store refuses anyone without the service's credentials.
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(f"{store.endpoint}/{s3_bucket}/{key}", timeout=5)
    assert refused.value.code == 403

    url = reverse("loan_requests:file", args=[draft.public_id, stored.public_id])
    validator = UserFactory(establishment=draft.establishment, permissions=VALIDATOR)
    download = logged(validator).get(url)
    assert download.status_code == 200 and body(download) == content
    assert download["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert download["Content-Type"] == "application/pdf" and download["Content-Length"] == str(len(content))

    outsider = UserFactory(establishment=EstablishmentFactory(), permissions=VALIDATOR)
    assert logged(outsider).get(url).status_code == 404

    request_send(loan_request=draft, user=validator)
    officer = staff_factory("Chargé de prêts", username="charge")
    officer.regional_office = draft.establishment.regional_office
    officer.save()
    staff = Client()
    verified_login(staff, officer)
    from_office = staff.get(reverse("backoffice:dossier_file", args=[draft.public_id, stored.public_id]))
    assert from_office.status_code == 200 and body(from_office) == content

    # An infected file never reaches the bucket.
    other = LoanRequestFactory(complete=True, establishment=draft.establishment, created_by=author)
    before = store.keys(s3_bucket)
    with django_capture_on_commit_callbacks(execute=True):
        infected = logged(author).post(
            reverse("loan_requests:step", args=[other.public_id, "documents"]),
            {"document": document.pk, "file": SimpleUploadedFile("pieces.zip", infected_zip(), "application/zip")},
        )
    assert infected.status_code == 400 and "contient un virus" in infected.content.decode()
    assert store.keys(s3_bucket) == before

    # « Retirer » deletes the object, once the transaction has committed.
    removed = other.files.get(required_document=document)
    removed_key = f"{LOCATION}/{removed.file.name}"
    with django_capture_on_commit_callbacks(execute=True):
        response = logged(author).post(reverse("loan_requests:file_delete", args=[other.public_id, removed.public_id]))
    assert response.status_code == 302
    assert removed_key not in store.keys(s3_bucket)
    assert not other.files.filter(pk=removed.pk).exists()
    assert (
        logged(author).get(reverse("loan_requests:file", args=[other.public_id, removed.public_id])).status_code == 404
    )


def test_a_file_kept_pending_while_clamd_is_down_is_scanned_again_from_the_bucket(
    s3_bucket, object_store_server, settings, run_tasks, clock
):
    draft = LoanRequestFactory(complete=True)
    document = required_documents(draft)[0]
    settings.CLAMD_PORT = free_port()  # nothing listens there: clamd is « down »
    content = pdf_bytes("Déposé pendant la panne")
    response = logged(draft.created_by).post(
        reverse("loan_requests:step", args=[draft.public_id, "documents"]),
        {"document": document.pk, "file": SimpleUploadedFile("panne.pdf", content, "application/pdf")},
    )
    assert response.status_code == 302
    stored = draft.files.get(required_document=document, kind=FileKind.REQUIRED)
    assert stored.scan == ScanStatus.PENDING
    assert object_store_server.body(s3_bucket, f"{LOCATION}/{stored.file.name}") == content
    url = reverse("loan_requests:file", args=[draft.public_id, stored.public_id])
    assert logged(draft.created_by).get(url).status_code == 404  # never served before its scan

    settings.CLAMD_PORT = int(os.environ.get("CLAMD_PORT", "3310"))  # clamd is back
    clock.shift(timedelta(minutes=16))
    run_tasks()
    stored.refresh_from_db()
    assert stored.scan == ScanStatus.CLEAN
    assert body(logged(draft.created_by).get(url)) == content


def test_letters_are_rendered_exported_and_purged_in_the_bucket(
    s3_bucket, object_store_server, client, run_tasks, tmp_path, clock, settings, django_capture_on_commit_callbacks
):
    register_admin(client, EstablishmentFactory(city="Prades"), run_tasks)
    run_tasks()
    letter = Letter.objects.get()
    key = f"{LOCATION}/{letter.pdf.name}"
    assert object_store_server.body(s3_bucket, key).startswith(b"%PDF")

    out = tmp_path / "courrier"
    call_command("export_letters", "--out", str(out))
    exported = out / f"{letter.reference}.pdf"
    text = subprocess.run(["pdftotext", str(exported), "-"], capture_output=True, text=True, check=True).stdout
    assert "PRADES" in text and "code temporaire" in text
    assert len(list(out.glob("lot-*.pdf"))) == 1 and len(list(out.glob("manifest-*.csv"))) == 1
    letter.refresh_from_db()
    assert letter.status == LetterStatus.EXPORTED

    settings.LETTER_PDF_RETENTION = timedelta(days=90)
    clock.shift(timedelta(days=91))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("export_letters", "--out", str(out))
    letter.refresh_from_db()
    assert not letter.pdf and letter.pdf_deleted_at is not None
    assert key not in object_store_server.keys(s3_bucket)  # the clear code is gone from the bucket


def test_statements_and_library_documents_are_served_and_mailed_from_the_bucket(
    s3_bucket, object_store_server, run_tasks, clock
):
    world = portfolio_world(plan_start=date(2026, 9, 1))
    statement = statement_request(guarantor=world.commune, year=2025, requested_by=world.mayor_office)
    run_tasks()
    statement.refresh_from_db()
    assert object_store_server.body(s3_bucket, f"{LOCATION}/{statement.pdf.name}").startswith(b"%PDF")
    mayor = logged(world.mayor_office)
    download = mayor.get(reverse("portfolio:statement_download", args=[statement.public_id]))
    assert download.status_code == 200 and body(download).startswith(b"%PDF")
    other = logged(world.reader)  # the OPH's reader: not the guarantor
    assert other.get(reverse("portfolio:statement_download", args=[statement.public_id])).status_code == 404

    document = DocumentFactory(establishment=world.oph, title="Avis d'échéance mars", file_name="avis-mars.pdf")
    assert f"{LOCATION}/{document.file.name}" in object_store_server.keys(s3_bucket)
    reader = UserFactory(
        establishment=world.oph, email="lecteur@oph.example.org", permissions=[Permission.VIEW_DOCUMENTS]
    )
    assert logged(reader).post(f"/documents/{document.public_id}/par-email/").status_code == 302
    run_tasks()
    (message,) = [m for m in mail.outbox if m.to == ["lecteur@oph.example.org"]]
    assert message.attachments[0][0] == "avis-mars.pdf"
    assert message.attachments[0][1] == object_store_server.body(s3_bucket, f"{LOCATION}/{document.file.name}")
    assert Document.objects.filter(establishment=world.commune).get().file.read().startswith(b"%PDF")


def test_an_object_missing_from_the_bucket_answers_404_not_500(s3_bucket, object_store_server, clock):
    draft = LoanRequestFactory(complete=True)
    stored = draft.files.first()
    object_store_server.client().delete_object(Bucket=s3_bucket, Key=f"{LOCATION}/{stored.file.name}")
    response = logged(draft.created_by).get(reverse("loan_requests:file", args=[draft.public_id, stored.public_id]))
    assert response.status_code == 404
