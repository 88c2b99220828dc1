import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from tests.support.clients import client_for


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with every per-user budget unspent (user ids repeat between tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def owner_client(owner) -> APIClient:
    """An API client signed in as ``owner``."""
    return client_for(owner)


@pytest.fixture
def team(db):
    """A shared project: its owner, an admin, an editor, a viewer, and a stranger (tasks.tests.sharing)."""
    from tasks.tests.sharing import make_team

    return make_team()
