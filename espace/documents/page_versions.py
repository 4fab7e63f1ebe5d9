"""What changes the pages that show documents (espace.core.page_cache): an establishment's own
documents (`DOCUMENTS`, its library and the loan and dossier pages' panels), and the lender's
resources and deliberation templates, shared by everyone (`RESOURCES`). Each is saved one at a time."""

from __future__ import annotations

from espace.core.page_cache import SHARED, page_cache_depends
from espace.documents.models import DeliberationTemplate, Document, Resource, ResourceVersion

DOCUMENTS = "documents"
RESOURCES = "resources"


def documents_page_versions_connect() -> None:
    """Called by the documents app's `ready()`."""
    page_cache_depends(Document, DOCUMENTS, lambda document: [document.establishment_id])
    for model in (Resource, ResourceVersion, DeliberationTemplate):
        page_cache_depends(model, RESOURCES, lambda item: [SHARED])
