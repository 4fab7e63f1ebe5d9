"""What changes the pages that show products or the Livret A (espace.core.page_cache): rates and
products are edited one at a time in the Django admin, so their saves and deletes bump `RATES`,
a scope shared by every establishment."""

from __future__ import annotations

from espace.core.page_cache import SHARED, page_cache_depends
from espace.products.models import IndexRate, Product

RATES = "rates"


def products_page_versions_connect() -> None:
    """Called by the products app's `ready()`."""
    page_cache_depends(IndexRate, RATES, lambda rate: [SHARED])
    page_cache_depends(Product, RATES, lambda product: [SHARED])
