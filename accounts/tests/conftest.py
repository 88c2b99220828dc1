import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous_client() -> APIClient:
    """An API client with no credentials; a test that signs in sets them on it itself."""
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def login(anonymous_client):
    """Sign ``user`` in through the API; returns the response body (access, refresh, user)."""

    def _login(user, password: str = PASSWORD, *, user_agent: str = "pytest", **body) -> dict:
        payload = {"username": user.username, "password": password, **body}
        response = anonymous_client.post(
            "/api/auth/login/", payload, format="json", HTTP_USER_AGENT=user_agent
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _login


@pytest.fixture
def authed(user, login):
    """An API client of its own signed in as ``user``; ``authed.tokens`` holds the login body."""
    tokens = login(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    client.tokens = tokens
    return client


@pytest.fixture
def hash_calls(monkeypatch):
    """Count password hasher calls during the test: ``hash_calls()`` is {"encode": n, "verify": n}."""
    from collections import Counter

    from django.contrib.auth.hashers import MD5PasswordHasher

    calls: Counter = Counter()
    for name in ("encode", "verify"):
        original = getattr(MD5PasswordHasher, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(MD5PasswordHasher, name, counted)
    return lambda: {"encode": calls["encode"], "verify": calls["verify"]}
