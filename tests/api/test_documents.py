"""/api/v1/documents: the establishment's library and its files, served only when clean, as
attachments, each download in the establishment's journal (as from the site)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from espace.core.models import AuditEvent
from espace.core.uploads import ScanStatus
from espace.documents.enums import AuditAction, DocumentKind
from tests.api.factories import bearer, get, issue_token
from tests.documents.factories import DocumentFactory, pdf_bytes

pytestmark = pytest.mark.django_db


def titles(body) -> list[str]:
    return [item["title"] for item in body["items"]]


def downloads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOADED))


def test_list_shows_the_library_newest_first_with_what_a_synchronisation_needs(client, world):
    contract = DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.CONTRACT,
        line=world.plus,
        title="Contrat C1000001",
        issued_on=date(2020, 3, 1),
        file_name="contrat.pdf",
    )
    notice = DocumentFactory(establishment=world.oph, line=world.pls, title="Avis 2026", issued_on=date(2026, 2, 1))
    pending = DocumentFactory(establishment=world.oph, title="Courrier", issued_on=date(2026, 3, 1), pending=True)
    DocumentFactory(establishment=world.other_oph, title="Document d'un autre établissement")
    _token, clear = issue_token(world.oph, scopes=("documents",))
    response, body = get(client, "/api/v1/documents", clear)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert titles(body) == ["Courrier", "Avis 2026", "Contrat C1000001"]
    assert "autre établissement" not in response.content.decode()
    assert body["items"][2] == {
        "id": str(contract.public_id),
        "kind": "contract",
        "kind_label": "Contrat",
        "title": "Contrat C1000001",
        "issued_on": "2020-03-01",
        "file_name": "contrat.pdf",
        "mime_type": "application/pdf",
        "size": contract.size,
        "sha256": contract.sha256,
        "loan_id": str(world.plus.public_id),
        "loan_number": "L1000001",
        "contract_number": "C1000001",
        "loan_reference": "L1000001",
        "dossier_number": None,
        "origin": "imported",
        "scan_status": "clean",
        "downloadable": True,
        "updated_at": "2026-11-23T08:00:00Z",
    }
    assert body["items"][0]["id"] == str(pending.public_id)
    assert body["items"][0]["scan_status"] == "pending" and body["items"][0]["downloadable"] is False
    assert body["items"][1]["id"] == str(notice.public_id)


def test_list_filters_pages_and_etag(client, world, clock):
    DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.CONTRACT,
        line=world.plus,
        title="Contrat",
        issued_on=date(2020, 3, 1),
    )
    DocumentFactory(establishment=world.oph, line=world.pls, title="Avis PLS", issued_on=date(2026, 2, 1))
    DocumentFactory(establishment=world.oph, line=world.plai, title="Avis PLAI", issued_on=date(2026, 2, 1))
    offer = DocumentFactory(
        establishment=world.oph,
        kind=DocumentKind.OFFER,
        title="Offre",
        issued_on=date(2025, 6, 1),
        dossier_number="DP-2025-000042",
        made_by_service=True,
    )
    _token, clear = issue_token(world.oph, scopes=("documents",))

    def listed(query: str) -> list[str]:
        response, body = get(client, f"/api/v1/documents?{query}", clear)
        assert response.status_code == 200, body
        return titles(body)

    assert listed("kind=contract") == ["Contrat"]
    assert sorted(listed("year=2026")) == ["Avis PLAI", "Avis PLS"]
    assert listed("loan_number=L1000003") == ["Avis PLS"]
    assert listed("loan_number=c1000001") == ["Avis PLAI", "Contrat"]  # a contract finds its lines' documents
    assert listed("dossier_number=DP-2025-000042") == ["Offre"]
    assert listed("year=1990") == []

    # Keyset pages walk the whole list once, in its order, even through documents of the same day.
    pages, url = [], "/api/v1/documents?limit=1"
    while url:
        _response, body = get(client, url, clear)
        pages += titles(body)
        url = f"/api/v1/documents?limit=1&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert pages == listed("")
    assert len(pages) == 4

    first, _body = get(client, "/api/v1/documents", clear)
    etag = first["ETag"]
    again, _body = get(client, "/api/v1/documents", clear, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    clock.shift(timedelta(hours=2))
    offer.title = "Offre de prêt"
    offer.save()
    changed, _body = get(client, "/api/v1/documents", clear, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert listed("updated_since=2026-11-23T10:30:00") == ["Offre de prêt"]  # Paris time


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=facture", "kind"),
        ("year=20", "year"),
        ("year=deux-mille", "year"),
        ("loan_number=L1%00", "loan_number"),
        ("dossier_number=" + "D" * 31, "dossier_number"),
        ("updated_since=hier", "updated_since"),
        ("cursor=WyJ4IiwieSJd", "cursor"),  # ["x","y"]: not a key of this list
        ("cursor=WzFd", "cursor"),
        ("type=contract", "type"),
    ],
)
def test_list_bad_parameters_are_a_400_naming_the_field(client, world, query, field):
    _token, clear = issue_token(world.oph, scopes=("documents",))
    response, body = get(client, f"/api/v1/documents?{query}", clear)
    assert response.status_code == 400, body
    assert [item["field"] for item in body["fields"]] == [field]


def test_content_is_the_file_as_an_attachment_and_the_download_is_journalled(client, world):
    data = pdf_bytes("contrat")
    document = DocumentFactory(establishment=world.oph, line=world.plus, file_name="contrat C1000001.pdf", content=data)
    token, clear = issue_token(world.oph, scopes=("documents",))
    response = client.get(f"/api/v1/documents/{document.public_id}/content", **bearer(clear))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="contrat C1000001.pdf"'
    assert response["Cache-Control"] == "no-store"
    [event] = downloads()
    assert event.actor is None and event.establishment == world.oph
    assert event.target_id == str(document.public_id)
    assert event.details == {
        "file": "contrat C1000001.pdf",
        "kind": "instalment_notice",
        "via": "api",
        "prefix": token.prefix,
    }


def test_content_of_a_document_made_by_the_service(client, world):
    document = DocumentFactory(establishment=world.oph, made_by_service=True, file_name="etat.pdf")
    _token, clear = issue_token(world.oph, scopes=("documents",))
    response = client.get(f"/api/v1/documents/{document.public_id}/content", **bearer(clear))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "status, code",
    [
        (ScanStatus.PENDING, "scan_pending"),
        (ScanStatus.INFECTED, "not_downloadable"),
        (ScanStatus.NOT_SCANNED, "not_downloadable"),
    ],
)
def test_a_file_not_declared_clean_is_never_served(client, world, status, code):
    document = DocumentFactory(establishment=world.oph, scan_status=status)
    _token, clear = issue_token(world.oph, scopes=("documents",))
    response, body = get(client, f"/api/v1/documents/{document.public_id}/content", clear)
    assert response.status_code == 409 and body["error"] == code
    assert body["message"].startswith("Analyse antivirus en cours" if code == "scan_pending" else "Ce fichier ne peut")
    assert downloads() == []


def test_another_establishments_document_or_junk_is_a_404(client, world):
    theirs = DocumentFactory(establishment=world.other_oph)
    _token, clear = issue_token(world.oph, scopes=("documents",))
    for target in (theirs.public_id, "pas-un-uuid", "00000000-0000-0000-0000-000000000000"):
        response, body = get(client, f"/api/v1/documents/{target}/content", clear)
        assert response.status_code == 404 and body["error"] == "not_found"
    assert downloads() == []


def _list_queries(client, clear) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/documents?limit=100", **bearer(clear))
    assert response.status_code == 200
    return len(captured)


def test_list_costs_the_same_at_3_and_30_documents(client, world, settings):
    """Version for the ETag, page (with each document's loan and contract joined)."""
    lines = [world.plus, world.plai, world.pls]
    for line in lines:
        DocumentFactory(establishment=world.oph, line=line)
    _token, clear = issue_token(world.oph, scopes=("documents",))
    settings.PAGE_CACHE_SECONDS = 0  # the list computed (its copies: tests/api/test_list_cache.py)
    client.get("/api/v1/documents", **bearer(clear))  # the token's first use is written once a minute
    client.get("/api/v1/documents", **bearer(clear))  # then its row is cached (espace.api.token_cache)
    small = _list_queries(client, clear)
    for index in range(27):
        DocumentFactory(establishment=world.oph, line=lines[index % 3], content=b"%PDF-1.4 small")
    big = _list_queries(client, clear)
    assert small == big, f"{small} queries at 3 documents, {big} at 30"
    assert big <= 2  # the version and the page
