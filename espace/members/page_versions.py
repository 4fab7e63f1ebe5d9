"""What changes an establishment's users pages in this app (espace.core.page_cache): its access
review, whose prompt is on its administrators' home page (`review_home_notice`). Reviews are
saved one at a time (the reminder's `update()` changes nothing a page shows)."""

from __future__ import annotations

from espace.accounts.page_versions import USERS
from espace.core.page_cache import page_cache_depends
from espace.members.models import AccessReview


def members_page_versions_connect() -> None:
    """Called by the members app's `ready()`."""
    page_cache_depends(AccessReview, USERS, lambda review: [review.establishment_id])
