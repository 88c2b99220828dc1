"""Fixtures shared by every test suite."""

import pytest

from tests.support.services import REDIS_URL, require


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis for tests that need the shared cache."""
    return require(REDIS_URL, "Redis")
