from __future__ import annotations

from datetime import date

import pytest

from espace.documents.data_load import deliberation_template_initial_load
from espace.documents.models import DeliberationTemplate
from tests.portfolio.factories import World, portfolio_world


@pytest.fixture
def world(db, clock) -> World:
    return portfolio_world(plan_start=date(2026, 9, 1))


@pytest.fixture
def deliberation_template(db) -> DeliberationTemplate:
    """Version 1 as the data migration loads it (transactional tests flush it)."""
    deliberation_template_initial_load(DeliberationTemplate)
    return DeliberationTemplate.objects.get(number=1)
