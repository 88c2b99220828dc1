"""What a personal access token reaches, on every route of the API, from the schema.

For each operation under /api/tasks/ (the OpenAPI schema's, so a route added later is covered
without a change here), in the world of the isolation matrix and as its project's owner:

- a ``tasks:write`` token gets what a signed-in session gets;
- a ``tasks:read`` token gets it for a GET, and 403 ``insufficient_scope`` for any write,
  which changes nothing;
- /api/tasks/webhooks/ needs ``webhooks:manage`` instead (and that scope reaches nothing else);
- the calendar feed and push subscriptions need a session: 403 ``session_required``;
- a revoked token, an expired one, and one of a deactivated account get 401
  ``token_not_valid`` everywhere, and change nothing.

Every operation under /api/auth/ that takes credentials refuses a token with 401.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import PublicEndpointAuthentication
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.services import token_create
from tasks.calendar.models import CalendarFeed
from tasks.notifications.models import PushSubscription
from tasks.webhooks.models import Webhook
from tests.reliability import test_isolation_matrix as matrix
from tests.reliability.test_isolation_matrix import BODIES, MISSING_ID, OPERATIONS, World, objects_of
from tests.support.snapshot import database_snapshot
from tms_project.personal_tokens.scopes import TASKS_PREFIX, WEBHOOKS_PREFIX

pytestmark = pytest.mark.django_db

# The isolation matrix's world, built once for this module, and its fresh rate limits per test.
built_world = matrix.built_world
_fresh_rate_limits = matrix._fresh_rate_limits


@pytest.fixture
def owners_world(built_world, db) -> World:
    """The world as built (each test runs in a savepoint rolled back after it)."""
    return built_world[0]


TASK_OPERATIONS = [(method, path) for method, path in OPERATIONS if path.startswith(TASKS_PREFIX)]
AUTH_OPERATIONS = [(method, path) for method, path in OPERATIONS if path.startswith("/api/auth/")]
KINDS = ("tasks:read", "tasks:write", "webhooks:manage")
DEAD = ("revoked", "expired", "deactivated")


def snapshot() -> list:
    """The isolation matrix's snapshot, and what else a token could change (when it was last used
    aside: that is written by any accepted request)."""
    return [
        *database_snapshot(),
        list(PersonalAccessToken.objects.values().order_by("id")),
        list(PushSubscription.objects.values().order_by("id")),
        list(CalendarFeed.objects.values().order_by("id")),
        list(Webhook.objects.values().order_by("id")),
    ]


def token_client(world: World, scopes: list[str], state: str = "live") -> APIClient:
    """A client with a new token of the owner, used once already (its last use written)."""
    owner = world.users["owner"]
    made = token_create(user_id=owner.pk, name="script", scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {made.secret}")
    client.get(TASKS_PREFIX)
    if state == "revoked":
        PersonalAccessToken.objects.filter(pk=made.token.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        PersonalAccessToken.objects.filter(pk=made.token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "deactivated":
        type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    return client


def send(client: APIClient, method: str, url: str, body: Any):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


def request_of(world: World, method: str, path: str) -> tuple[str, Any]:
    """The owner's request; a path parameter the world has no object for names a missing one."""
    objects = objects_of(path)

    def value(match: re.Match) -> str:
        name = objects[match.group(1)]
        return str(world.ids.get(name, MISSING_ID) if name != "me" else world.users["owner"].pk)

    return re.sub(r"\{(\w+)\}", value, path), world.fill(BODIES.get((method, path)), "owner")


@pytest.fixture
def as_a_session(owners_world: World) -> Any:
    """``status(method, path)``: what the owner's signed-in session gets, its changes rolled back."""

    def status(method: str, path: str) -> int:
        url, body = request_of(owners_world, method, path)
        with transaction.atomic():
            code = send(owners_world.client("owner"), method, url, body).status_code
            transaction.set_rollback(True)
        return code

    return status


def session_only(url: str) -> bool:
    return not getattr(resolve(url).func.view_class, "personal_tokens_allowed", True)  # type: ignore[attr-defined]


def expected_for(kind: str, method: str, path: str, url: str) -> str | None:
    """The refusal a live ``kind`` token gets (None: it gets what a session gets)."""
    if session_only(url):
        return "session_required"
    needs = (
        "webhooks:manage"
        if path.startswith(WEBHOOKS_PREFIX)
        else "tasks:read"
        if method == "get"
        else "tasks:write"
    )
    held = {kind} | ({"tasks:read"} if kind == "tasks:write" else set())
    return None if needs in held else "insufficient_scope"


def test_the_schema_has_task_and_auth_operations():
    assert ("get", "/api/tasks/") in TASK_OPERATIONS and (
        "delete",
        "/api/tasks/{task_id}/",
    ) in TASK_OPERATIONS
    assert ("get", "/api/auth/tokens/") in AUTH_OPERATIONS and ("get", "/api/auth/me/") in AUTH_OPERATIONS


CELLS = [(method, path, kind) for method, path in TASK_OPERATIONS for kind in KINDS]


@pytest.mark.parametrize(("method", "path", "kind"), CELLS, ids=[f"{m} {p} {k}" for m, p, k in CELLS])
def test_a_live_token_gets_what_its_scope_allows(owners_world, as_a_session, method, path, kind):
    url, body = request_of(owners_world, method, path)
    refusal = expected_for(kind, method, path, url)
    session_status = as_a_session(method, path) if refusal is None else None
    client = token_client(owners_world, [kind])
    before = snapshot()
    # when
    response = send(client, method, url, body)
    # then
    where = f"{method.upper()} {url} with a {kind} token"
    if refusal is None:
        assert response.status_code == session_status, f"{where}: {response.content[:300]}"
    else:
        assert response.status_code == 403, f"{where}: {response.content[:300]}"
        assert response.json()["error"]["code"] == refusal, where
        assert snapshot() == before, f"{where} changed the database"
    if method == "get":
        assert snapshot() == before, f"{where} changed the database"


DEAD_CELLS = [(method, path, state) for method, path in TASK_OPERATIONS for state in DEAD]


@pytest.mark.parametrize(
    ("method", "path", "state"), DEAD_CELLS, ids=[f"{m} {p} {s}" for m, p, s in DEAD_CELLS]
)
def test_a_revoked_or_expired_token_is_401_everywhere(owners_world, method, path, state):
    client = token_client(owners_world, list(KINDS), state)
    url, body = request_of(owners_world, method, path)
    before = snapshot()
    response = send(client, method, url, body)
    assert response.status_code == 401, f"{method.upper()} {url}, {state}: {response.content[:300]}"
    assert response.json()["error"]["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert snapshot() == before


def view_of(path: str) -> Any:
    return resolve(re.sub(r"\{\w+\}", "1", path)).func.view_class  # type: ignore[attr-defined]


# Sign-in, refresh, reset and the like take no credentials at all (PublicEndpointAuthentication).
SIGNED_IN_AUTH_OPERATIONS = [
    (method, path)
    for method, path in AUTH_OPERATIONS
    if PublicEndpointAuthentication not in view_of(path).authentication_classes
]


@pytest.mark.parametrize(
    ("method", "path"), SIGNED_IN_AUTH_OPERATIONS, ids=[f"{m} {p}" for m, p in SIGNED_IN_AUTH_OPERATIONS]
)
def test_no_token_reaches_the_account_or_token_routes(owners_world, method, path):
    client = token_client(owners_world, list(KINDS))
    token_id = PersonalAccessToken.objects.get(name="script").pk  # (the world has a token of its own)
    url = re.sub(r"\{(\w+)\}", lambda match: str(owners_world.ids.get(match.group(1), token_id)), path)
    body = owners_world.fill(BODIES.get((method, path)), "owner")
    before = snapshot()
    response = send(client, method, url, body)
    assert response.status_code == 401, f"{method.upper()} {url}: {response.content[:300]}"
    assert response.json()["error"]["code"] == "token_not_valid"
    assert snapshot() == before


def test_the_token_routes_are_among_those_refused():
    refused = set(SIGNED_IN_AUTH_OPERATIONS)
    assert {
        ("get", "/api/auth/tokens/"),
        ("post", "/api/auth/tokens/"),
        ("delete", "/api/auth/tokens/{token_id}/"),
    } <= refused
    assert ("get", "/api/auth/me/") in refused and ("post", "/api/auth/login/") not in refused
