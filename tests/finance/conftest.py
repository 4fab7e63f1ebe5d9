"""Hypothesis profiles of the finance tests.

The default run tries 300 examples per property; the long run tries 10,000 (CI):
`HYPOTHESIS_PROFILE=long pytest tests/finance -m long` (or `--hypothesis-profile=long`).
No example database is kept (a failing example is printed, to paste into an @example); Hypothesis
still caches constants in `.hypothesis/`, which carries its own .gitignore.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "finance", max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("hypothesis_profile", None) or os.environ.get("HYPOTHESIS_PROFILE") or "finance"
    settings.load_profile(chosen)
