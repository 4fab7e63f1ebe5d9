"""/api/v1/documents: the establishment's document library and its files (scope `documents`).
Read through the documents' selectors from the token's establishment: another establishment's
document answers 404. A file is served only when its antivirus scan says clean (or the service made
it), as an attachment, and each download goes to the establishment's journal through the same
service as a download from the site."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import (
    ApiError,
    aware,
    bad_cursor,
    cursor_decode,
    cursor_encode,
    etag_for,
    not_found,
    not_modified,
    only_known,
    public_id_or_404,
    token_of,
    with_etag,
)
from espace.api.schemas import ERRORS_404, ETAG_HEADER, LISTS, DocumentFilters, DocumentPage, ErrorOut
from espace.core.downloads import OCTET_STREAM, stored_file_response
from espace.core.uploads import ALLOWED_TYPES, ScanStatus, scan_explanation
from espace.documents.models import Document
from espace.documents.selectors import api_documents, document_for, documents_page, documents_version
from espace.documents.services import LIBRARY_REFUSED_TYPES, document_download_record

router = Router(tags=["Documents"])
documents_scope = TokenAuth(ApiScope.DOCUMENTS)

# What a library file is served as: its type when the library takes it, else bytes.
SERVED_TYPES = [mime_type for mime_type in ALLOWED_TYPES if mime_type not in LIBRARY_REFUSED_TYPES]


def _document(document: Document) -> dict[str, Any]:
    line, contract = document.line, document.contract
    return {
        "id": document.public_id,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "title": document.title,
        "issued_on": document.issued_on,
        "file_name": document.file_name,
        "mime_type": document.mime_type,
        "size": document.size,
        "sha256": document.sha256,
        "loan_id": line.public_id if line else None,
        "loan_number": line.number if line else None,
        "contract_number": contract.number if contract else None,
        "loan_reference": document.loan_reference,
        "dossier_number": document.dossier_number or None,
        "origin": document.origin,
        "scan_status": document.scan_status or None,
        "downloadable": document.downloadable,
        "updated_at": document.updated_at,
    }


def _after(cursor: str | None) -> tuple[date, UUID] | None:
    if not cursor:
        return None
    issued_on, public_id = cursor_decode(cursor, length=2)
    try:
        return date.fromisoformat(str(issued_on)), UUID(str(public_id))
    except ValueError:
        raise bad_cursor() from None


@router.get(
    "/documents",
    summary="Documents (liste)",
    response={200: DocumentPage, **LISTS},
    auth=documents_scope,
    openapi_extra={"responses": {200: {"headers": ETAG_HEADER}}},
)
def documents(request: HttpRequest, response: HttpResponse, filters: Query[DocumentFilters]) -> Any:
    """La bibliothèque de documents de votre établissement (contrats, offres, avis d'échéance, états
    annuels de la dette garantie…), du plus récent au plus ancien, page par page (curseur).
    `downloadable` dit si le fichier peut être téléchargé maintenant."""
    only_known(request, DocumentFilters)
    est = token_of(request).establishment
    after = _after(filters.cursor)
    found = api_documents(
        est,
        kind=filters.kind or "",
        year=filters.year,
        loan=filters.loan_number or "",
        dossier=filters.dossier_number or "",
        updated_since=aware(filters.updated_since),
    )
    count, latest = documents_version(found)
    etag = etag_for("documents", est.pk, request.GET.urlencode(), count, latest)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    page = documents_page(found, after=after, limit=filters.limit)
    more = len(page) > filters.limit
    page = page[: filters.limit]
    last = page[-1] if page else None
    payload = {
        "items": [_document(document) for document in page],
        "next_cursor": cursor_encode([last.issued_on, str(last.public_id)]) if more and last else None,
    }
    return with_etag(response, etag, payload)


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/documents/{document_id}/content",
    summary="Le fichier d'un document",
    response={200: None, 409: ErrorOut, **ERRORS_404},
    auth=documents_scope,
    openapi_extra={
        "responses": {
            200: {
                "description": "Le fichier, en pièce jointe (Content-Disposition: attachment), au type du document.",
                "content": dict.fromkeys([*SERVED_TYPES, OCTET_STREAM], BINARY),
            },
            409: {
                "description": "Fichier pas encore téléchargeable : `scan_pending` (analyse antivirus en cours, "
                "réessayez plus tard) ou `not_downloadable` (virus détecté, fichier non analysé ou absent)."
            },
        }
    },
)
def document_content(request: HttpRequest, document_id: str) -> FileResponse:
    """Le fichier d'un document de votre établissement, transmis au fil de l'eau. Seul un fichier que
    l'antivirus a déclaré sain (ou produit par le service) est servi ; sinon `409` avec la raison.
    Chaque téléchargement est inscrit au journal des actions de votre établissement."""
    only_known(request)
    token = token_of(request)
    document = document_for(token.establishment, public_id_or_404(document_id))
    if document is None:
        raise not_found()
    if not document.downloadable:
        if document.scan_status == ScanStatus.PENDING:
            raise ApiError(409, "scan_pending", "Analyse antivirus en cours : réessayez dans quelques minutes.")
        reason = scan_explanation(document.scan_status) or "aucun fichier n'est joint à ce document"
        raise ApiError(409, "not_downloadable", f"Ce fichier ne peut pas être téléchargé : {reason}.")
    content_type = document.mime_type if document.mime_type in SERVED_TYPES else OCTET_STREAM
    response = stored_file_response(document.file, filename=document.file_name, content_type=content_type)
    document_download_record(document=document, user=None, api_token_prefix=token.prefix)
    response["Cache-Control"] = "no-store"
    return response
