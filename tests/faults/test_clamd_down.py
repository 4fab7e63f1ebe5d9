"""Fault: clamd is down while people upload files.

The contact form's attachment goes through the real upload checks; clamd's port is closed (a
port nobody listens on), then the real clamd is back. Meanwhile the files wait « en attente
d'analyse », closed to everyone and never marked clean; once clamd answers, the queued rescan
(or `manage.py rescan_pending_uploads`, at once) opens the clean file and deletes the EICAR one.
"""

from __future__ import annotations

import io
import socket
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from espace.core.uploads import ScanStatus
from espace.support.models import ContactRequest
from tests.conftest import verified_login
from tests.core.test_core import EICAR
from tests.support.test_support import PDF, anonymous_form

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # free once closed: nothing listens there


def eicar_zip() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    return archive.getvalue()


@pytest.mark.parametrize("mechanism", ["queued-rescan", "rescan-command"])
def test_uploads_wait_while_clamd_is_down_then_are_scanned(
    client, settings, run_tasks, clock, staff_factory, mechanism, capsys
):
    assert settings.CLAMD_HOST, "make test starts clamd and sets CLAMD_HOST"
    clamd_port = settings.CLAMD_PORT
    settings.CLAMD_PORT = closed_port()
    staff = staff_factory("Assistance")
    from django.test import Client

    back_office = Client()
    verified_login(back_office, staff)

    for name, content in (("plan.pdf", PDF), ("pieces.zip", eicar_zip())):
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        response = client.post("/contact/", anonymous_form(attachment=upload, sender_email=f"{name}@example.org"))
        assert response.status_code == 302, response.content.decode()[:500]
    clean, infected = ContactRequest.objects.order_by("pk")
    for _quarter in range(3):  # 45 minutes of outage: the queued rescans find clamd still away
        run_tasks()
        clock.shift(timedelta(minutes=15))
    assert ContactRequest.objects.filter(attachment_scan=ScanStatus.PENDING).count() == 2
    for contact in (clean, infected):
        contact.refresh_from_db()
        assert contact.attachment_scan == ScanStatus.PENDING  # never « sain » without a scan
        assert Path(contact.attachment.path).exists()
        page = back_office.get(f"/back-office/demandes/{contact.public_id}/").content.decode()
        assert "Analyse antivirus en cours" in page.replace("&#x27;", "'")
        assert back_office.get(f"/back-office/demandes/{contact.public_id}/piece-jointe/").status_code == 404
    if mechanism == "rescan-command":
        with pytest.raises(CommandError, match="toujours injoignable"):
            call_command("rescan_pending_uploads")
        assert ContactRequest.objects.filter(attachment_scan=ScanStatus.PENDING).count() == 2

    settings.CLAMD_PORT = clamd_port  # clamd is back
    if mechanism == "queued-rescan":
        run_tasks()  # the next quarter-hourly try
    else:
        capsys.readouterr()
        call_command("rescan_pending_uploads")
        assert "2 fichier(s) analysé(s) : 1 sain(s), 1 infecté(s)" in capsys.readouterr().out
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert clean.attachment_scan == ScanStatus.CLEAN
    download = back_office.get(f"/back-office/demandes/{clean.public_id}/piece-jointe/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert infected.attachment_scan == ScanStatus.INFECTED and not infected.attachment
    assert back_office.get(f"/back-office/demandes/{infected.public_id}/piece-jointe/").status_code == 404
    # The retries still queued find nothing left to do.
    clock.shift(timedelta(hours=13))
    run_tasks()
    assert ContactRequest.objects.filter(attachment_scan=ScanStatus.CLEAN).count() == 1
