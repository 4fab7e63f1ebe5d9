"""What changes the pages that show the lender's news (espace.core.page_cache): each item is
edited in the Django admin, one at a time; `NEWS` is shared by every establishment."""

from __future__ import annotations

from espace.core.models import NewsItem
from espace.core.page_cache import SHARED, page_cache_depends

NEWS = "news"


def core_page_versions_connect() -> None:
    """Called by the core app's `ready()`."""
    page_cache_depends(NewsItem, NEWS, lambda item: [SHARED])
