import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tests.factories import UserFactory
from accounts.tokens import TIME_ZONE_CLAIM


def access_token_for(user) -> str:
    token = AccessToken.for_user(user)
    token[TIME_ZONE_CLAIM] = user.time_zone
    return str(token)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


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
def api(owner) -> APIClient:
    """An API client signed in as ``owner``."""
    return client_for(owner)
