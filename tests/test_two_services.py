"""The auth and task services as separate processes, as in the cluster.

The task service holds only the public key: it accepts the auth service's
tokens without calling it, and refuses tokens signed by anyone else.
"""

import jwt
import pytest

from tests.support.server import GunicornServer, api, base_env, manage, register_and_login
from tms_project.jwt_keys import generate_private_key_pem, write_key_pair

pytestmark = pytest.mark.server


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
    tokens = register_and_login(auth, "ada", password)
    # when the task service sees the token
    status, _, created = api(
        "POST", f"{tasks}/api/tasks/", {"title": "from another process"}, token=tokens["access"]
    )
    assert status == 201
    status, _, page = api("GET", f"{tasks}/api/tasks/", token=tokens["access"])
    assert status == 200 and [t["id"] for t in page["results"]] == [created["id"]]
    # a token with the same claims signed by another key is refused
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    forged = jwt.encode(claims, generate_private_key_pem(), algorithm="RS256")
    status, _, body = api("GET", f"{tasks}/api/tasks/", token=forged)
    assert status == 401 and body["error"]["code"] == "token_not_valid"
    # and each service answers 404 for the other's routes
    assert api("POST", f"{tasks}/api/auth/login/", {"username": "ada", "password": password})[0] == 404
    assert api("GET", f"{auth}/api/tasks/", token=tokens["access"])[0] == 404
