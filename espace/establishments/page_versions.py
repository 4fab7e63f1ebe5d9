"""The `REGISTRY` scope of the page cache (espace.core.page_cache), shared by every establishment:
the names of *other* establishments that a page shows (a loan's guarantors and borrower, a
guarantor's borrowers, a dossier's planned guarantors). It is renewed when an establishment's
name changes (in the admin or the back office) and after every registry import that updated
establishments (`establishments_changed`); an establishment's own row is in its pages' keys."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from espace.core.page_cache import SHARED, page_cache_bump
from espace.establishments.models import Establishment
from espace.establishments.signals import establishments_changed

REGISTRY = "registry"


def _renamed(sender: type[Establishment], instance: Establishment, created: bool = False, **kwargs: Any) -> None:
    """A new establishment is on nobody else's page yet; a renamed one is."""
    if not created and instance.legal_name != instance.loaded("legal_name"):
        page_cache_bump(REGISTRY, [SHARED])
    instance.loaded_refresh()


def _deleted(sender: type[Establishment], instance: Establishment, **kwargs: Any) -> None:
    page_cache_bump(REGISTRY, [SHARED])


def _registry_imported(sender: type[Establishment], pks: list[int], **kwargs: Any) -> None:
    page_cache_bump(REGISTRY, [SHARED])


def establishments_page_versions_connect() -> None:
    """Called by the establishments app's `ready()`."""
    post_save.connect(_renamed, sender=Establishment, dispatch_uid="page_cache_registry_renamed")
    post_delete.connect(_deleted, sender=Establishment, dispatch_uid="page_cache_registry_deleted")
    establishments_changed.connect(_registry_imported, dispatch_uid="page_cache_registry_imported")
