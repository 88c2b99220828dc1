"""The auth and task services as separate processes, as in the cluster.

The task service holds only the public key: it accepts the auth service's
tokens without calling it, and refuses tokens signed by anyone else.
"""

import json

import jwt
import pytest

from tests.support.server import GunicornServer, base_env, http, manage
from tms_project.jwt_keys import generate_private_key_pem, write_key_pair

pytestmark = pytest.mark.server


def call(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, _, raw = http(
        method, url, body=json.dumps(body).encode() if body is not None else None, headers=headers
    )
    return status, json.loads(raw) if raw else {}


@pytest.fixture
def services(tmp_path):
    private_key, public_key = write_key_pair(tmp_path / "keys")
    common = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    auth_env = base_env(**common, TMS_SERVICE="auth", TMS_JWT_PRIVATE_KEY_FILE=str(private_key))
    tasks_env = base_env(**common, TMS_SERVICE="tasks", TMS_JWT_PUBLIC_KEY_FILE=str(public_key))
    assert manage("migrate", "--noinput", env=auth_env).returncode == 0
    with (
        GunicornServer(auth_env, log_path=tmp_path / "auth.log") as auth,
        GunicornServer(tasks_env, log_path=tmp_path / "tasks.log") as tasks,
    ):
        yield auth.url, tasks.url


def test_the_task_service_trusts_the_auth_services_tokens_only(services):
    auth, tasks = services
    # given a user signed in at the auth service
    password = "a long enough passphrase"
    assert (
        call(
            "POST",
            f"{auth}/api/auth/register/",
            {"username": "ada", "email": "ada@example.com", "password": password},
        )[0]
        == 201
    )
    status, tokens = call("POST", f"{auth}/api/auth/login/", {"username": "ada", "password": password})
    assert status == 200
    # when the task service sees the token
    status, created = call("POST", f"{tasks}/api/tasks/", {"title": "from another process"}, tokens["access"])
    assert status == 201
    status, page = call("GET", f"{tasks}/api/tasks/", token=tokens["access"])
    assert status == 200 and [t["id"] for t in page["results"]] == [created["id"]]
    # a token with the same claims signed by another key is refused
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    forged = jwt.encode(claims, generate_private_key_pem(), algorithm="RS256")
    status, body = call("GET", f"{tasks}/api/tasks/", token=forged)
    assert status == 401 and body["error"]["code"] == "token_not_valid"
    # and each service answers 404 for the other's routes
    assert call("POST", f"{tasks}/api/auth/login/", {"username": "ada", "password": password})[0] == 404
    assert call("GET", f"{auth}/api/tasks/", token=tokens["access"])[0] == 404
