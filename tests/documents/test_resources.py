"""Forms and product sheets: versions uploaded by staff (type, antivirus), the current one served to clients."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from espace.core.uploads import ScanStatus
from espace.documents.models import Resource, ResourceVersion
from espace.products.models import Product
from tests.accounts.factories import UserFactory
from tests.conftest import verified_login
from tests.core.test_core import EICAR
from tests.documents.factories import ResourceFactory, ResourceVersionFactory, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(staff_factory) -> Client:
    staff = Client()
    verified_login(staff, staff_factory("Gestionnaire de données", username="donnees"))
    return staff


def test_staff_publish_a_form_then_a_new_version_that_clients_get_at_once(manager, reference_data):
    response = manager.post(
        "/back-office/ressources/nouvelle/",
        {
            "title": "Formulaire de demande Eco-prêt",
            "category": "form",
            "product": Product.objects.get(code="plus").pk,
            "description": "À joindre à la demande de prêt.",
            "file": SimpleUploadedFile("eco-pret.pdf", pdf_bytes("v1")),
        },
    )
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/back-office/ressources/{resource.public_id}/"
    client = Client()
    client.force_login(UserFactory())  # any client user, whatever their permissions
    page = unescape(client.get("/ressources/").content.decode())
    assert "Formulaire de demande Eco-prêt" in page and "version 1" in page
    first = client.get(f"/ressources/{resource.public_id}/")
    assert first["Content-Disposition"] == 'attachment; filename="eco-pret.pdf"'
    assert b"".join(first.streaming_content) == pdf_bytes("v1")

    manager.post(
        f"/back-office/ressources/{resource.public_id}/",
        {"file": SimpleUploadedFile("eco-pret-2027.pdf", pdf_bytes("v2")), "note": "Barème 2027"},
    )
    second = client.get(f"/ressources/{resource.public_id}/")
    assert second["Content-Disposition"] == 'attachment; filename="eco-pret-2027.pdf"'
    assert b"".join(second.streaming_content) == pdf_bytes("v2")
    assert manager.get(f"/back-office/ressources/{resource.public_id}/versions/1/").status_code == 200


def test_an_infected_or_unwanted_file_is_refused_with_a_french_message(manager):
    resource = ResourceFactory()
    response = manager.post(
        f"/back-office/ressources/{resource.public_id}/", {"file": SimpleUploadedFile("f.pdf", EICAR)}
    )
    assert response.status_code == 400  # EICAR is plain text: refused by type, before anything is kept
    assert ResourceVersion.objects.filter(resource=resource).count() == 1
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eicar.com", EICAR)
    response = manager.post(
        f"/back-office/ressources/{resource.public_id}/", {"file": SimpleUploadedFile("lot.zip", archive.getvalue())}
    )
    assert "contient un virus" in unescape(response.content.decode())
    response = manager.post(
        "/back-office/ressources/nouvelle/",
        {"title": "x", "category": "nope", "file": SimpleUploadedFile("a.html", b"<html>")},
    )
    assert response.status_code == 400 and not Resource.objects.filter(title="x").exists()


def test_clients_get_the_latest_clean_version_and_never_an_unpublished_resource():
    resource = ResourceFactory(title="Fiche PLUS", category="product_sheet")
    ResourceVersionFactory(resource=resource, number=2, scan_status=ScanStatus.PENDING)
    client = Client()
    client.force_login(UserFactory())
    response = client.get(f"/ressources/{resource.public_id}/")
    assert response["Content-Disposition"] == 'attachment; filename="formulaire-v1.pdf"'
    assert "Fiches produits" in unescape(client.get("/ressources/").content.decode())
    resource.published = False
    resource.save()
    assert client.get(f"/ressources/{resource.public_id}/").status_code == 404
    assert "Fiche PLUS" not in client.get("/ressources/").content.decode()
    anonymous = Client().get("/ressources/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/connexion/")
