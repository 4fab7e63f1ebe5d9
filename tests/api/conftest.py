from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from tests.portfolio.factories import World, portfolio_world


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate windows and journal de-duplication live in the cache: each test starts empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, clock) -> World:
    return portfolio_world(plan_start=date(2026, 9, 1))
