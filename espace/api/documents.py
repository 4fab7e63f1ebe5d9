"""/api/v1/documents: the establishment's document library and its files (scope `documents`).
Read through the documents' selectors from the token's establishment: another establishment's
document answers 404. A file is served only when its antivirus scan says clean (or the service made
it), as an attachment, and each download goes to the establishment's journal through the same
service as a download from the site."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router

from espace.api.auth import TokenAuth
from espace.api.enums import ApiScope
from espace.api.http import ApiError, aware, not_found, only_known, public_id_or_404, token_of
from espace.api.pages import DOCUMENT_KEY, DOCUMENT_LISTS, keyset_list
from espace.api.schemas import ERRORS_404, ETAG_HEADER, LISTS, DocumentFilters, DocumentPage, ErrorOut
from espace.api.selectors import documents_listed, documents_page, list_version
from espace.core.downloads import OCTET_STREAM, stored_file_response
from espace.core.uploads import ALLOWED_TYPES, ScanStatus, scan_explanation
from espace.documents.selectors import document_for
from espace.documents.services import LIBRARY_REFUSED_TYPES, document_download_record

router = Router(tags=["Documents"])
documents_scope = TokenAuth(ApiScope.DOCUMENTS)

# What a library file is served as: its type when the library takes it, else bytes.
SERVED_TYPES = [mime_type for mime_type in ALLOWED_TYPES if mime_type not in LIBRARY_REFUSED_TYPES]


@router.get(
    "/documents",
    operation_id="espace_api_library_documents",
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
    found = documents_listed(
        token_of(request).establishment,
        kind=filters.kind or "",
        year=filters.year,
        loan=filters.loan_number or "",
        dossier=filters.dossier_number or "",
        updated_since=aware(filters.updated_since),
    )
    return keyset_list(
        request,
        response,
        name="documents",
        cursor=filters.cursor,
        limit=filters.limit,
        keyset=DOCUMENT_KEY,
        version=lambda: list_version(found),
        page=lambda after, limit: documents_page(found, after=after, limit=limit),
        scopes=DOCUMENT_LISTS,
    )


BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/documents/{document_id}/content",
    operation_id="espace_api_library_document_content",
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
