from __future__ import annotations

from datetime import date

import pytest

from tests.portfolio.factories import World, portfolio_world


@pytest.fixture
def world(db, clock) -> World:
    return portfolio_world(plan_start=date(2026, 9, 1))
