"""Every operation of the OpenAPI schema, fuzzed by schemathesis against real servers, signed in.

Twice: against one development server with every route (`TMS_SERVICE=all`), and against the two
production roles as the cluster runs them (`TMS_ENV=production`, an auth server and a task server
sharing Redis, requests arriving as the ingress forwards them), each operation sent to its role.

No answer may be a server error, and every answer must match the schema: its
status documented, its body, headers and content type as declared; requests the
schema calls invalid must be refused, and requests without credentials too.
When this fails, fix the schema or the code — never loosen the checks. `make test`
runs a bounded, deterministic number of examples per operation
(TMS_FUZZ_EXAMPLES, default 15); `make reliability` runs many more with fresh
randomness.

Not among the checks: schemathesis's "positive data acceptance", which expects
every schema-valid request to succeed. TMS refuses some schema-valid requests on
purpose, with a 400 naming the field: a weak password, a time zone that does not
exist, a cursor it did not issue, a label id that is not yours, a wrong current
password. JSON Schema cannot express those rules.
"""

import os

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from tests.support.server import GunicornServer, api, base_env, manage, register_and_login
from tests.support.services import REDIS_URL, require
from tms_project.jwt_keys import write_key_pair

pytestmark = pytest.mark.server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
]
EXAMPLES = int(os.environ.get("TMS_FUZZ_EXAMPLES", "15"))
RANDOM = os.environ.get("TMS_FUZZ_RANDOM") == "1"
FUZZING = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, suppress_health_check=list(HealthCheck)
)
PASSWORD = "fuzzing passphrase 77"  # a throwaway account on a throwaway database


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    state = tmp_path_factory.mktemp("fuzz")
    env = base_env(
        DATABASE_URL=f"sqlite:///{state / 'db.sqlite3'}",
        TMS_ACCESS_TOKEN_SECONDS="3600",
        TMS_TRUSTED_PROXIES="0",
        # One account makes every request: limits high enough that each operation is reached
        # with its examples (a 429 would also be a documented answer, just a less useful one).
        **{
            f"TMS_RATELIMIT_TASKS_{limit}": "100000000/m"
            for limit in ("WRITE", "BULK", "IMPORT", "EXPORT", "STATS")
        },
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    with GunicornServer(env, workers=2, log_path=state / "gunicorn.log") as server:
        tokens = register_and_login(server.url, "fuzzer", PASSWORD)
        # something to find: a label and tasks, one trashed
        headers = {"token": tokens["access"]}
        api("POST", f"{server.url}/api/tasks/labels/", {"name": "home"}, **headers)
        for title in ("Water the plants", "Renew passport", "Old idea"):
            status, _, task = api("POST", f"{server.url}/api/tasks/", {"title": title}, **headers)
            assert status == 201
        api("DELETE", f"{server.url}/api/tasks/{task['id']}/", **headers)
        BearerToken.token = tokens["access"]
        yield server, tokens["access"]


def generated_schema() -> dict:
    """The schema the server publishes at /api/schema/ (same code, same role), built in-process
    so that pytest can list one test per operation before any server runs."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(generated_schema())
# A request line or headers too large are refused by gunicorn itself, as JSON (docs/api.md):
# a rejection like any 4xx, which schemathesis's list of rejection statuses does not name.
_rejections = schema.config.checks.negative_data_rejection
_rejections.expected_statuses = [*_rejections.expected_statuses, "413", "414", "431"]


@schema.auth()
class BearerToken:
    """Signs every request in as the fuzzing user, so schemathesis knows which requests carry
    credentials (and still sends some without, expecting 401)."""

    token = ""

    def get(self, case, context) -> str:
        return self.token

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@FUZZING
def test_every_operation_answers_as_documented(case, fuzz_server):
    server, token = fuzz_server
    BearerToken.token = token
    case.call_and_validate(base_url=server.url, headers={"Host": "localhost"}, checks=CHECKS)


# The production roles, as the ingress reaches them (HTTPS at the edge, one trusted proxy hop).
PRODUCTION_HOST = "tms.example.com"
INGRESS = {"Host": PRODUCTION_HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.40"}


@pytest.fixture(scope="module")
def production_servers(tmp_path_factory):
    redis_url = require(REDIS_URL, "Redis")
    redis.Redis.from_url(redis_url).flushdb()
    state = tmp_path_factory.mktemp("fuzz-production")
    private_key, public_key = write_key_pair(state / "keys")
    unlimited = {
        f"TMS_RATELIMIT_TASKS_{name}": "100000000/m"
        for name in ("WRITE", "BULK", "IMPORT", "EXPORT", "STATS")
    }
    common = {
        "TMS_ENV": "production",
        "TMS_SECRET_KEY": "fuzz-production-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "TMS_ALLOWED_HOSTS": PRODUCTION_HOST,
        "DATABASE_URL": f"sqlite:///{state / 'db.sqlite3'}",
        "TMS_TRUSTED_PROXIES": "1",
        "TMS_ACCESS_TOKEN_SECONDS": "3600",
        "TMS_ALLOW_CONSOLE_EMAIL": "true",  # no mail server here
        "TMS_RATELIMIT_ENABLE": "false",  # one client makes every request; the limits have their own tests
        "REDIS_URL": redis_url,
        **unlimited,
    }
    auth_env = base_env(**common, TMS_SERVICE="auth", TMS_JWT_PRIVATE_KEY_FILE=str(private_key))
    tasks_env = base_env(**common, TMS_SERVICE="tasks", TMS_JWT_PUBLIC_KEY_FILE=str(public_key))
    assert manage("migrate", "--noinput", env=auth_env).returncode == 0
    with (
        GunicornServer(auth_env, workers=2, log_path=state / "auth.log") as auth,
        GunicornServer(tasks_env, workers=2, log_path=state / "tasks.log") as tasks,
    ):
        body = {"username": "fuzzer", "email": "fuzzer@example.com", "password": PASSWORD}
        assert api("POST", f"{auth.url}/api/auth/register/", body, headers=INGRESS)[0] == 201
        login = {"username": "fuzzer", "password": PASSWORD}
        status, _, tokens = api("POST", f"{auth.url}/api/auth/login/", login, headers=INGRESS)
        assert status == 200, tokens
        for title in ("Water the plants", "Renew passport"):
            status, _, _ = api(
                "POST", f"{tasks.url}/api/tasks/", {"title": title}, token=tokens["access"], headers=INGRESS
            )
            assert status == 201
        yield {"auth": auth.url, "tasks": tasks.url}, tokens["access"]


@schema.parametrize()
@FUZZING
def test_every_operation_answers_as_documented_by_the_production_roles(case, production_servers):
    servers, token = production_servers
    role = "auth" if case.path.startswith("/api/auth/") else "tasks"
    BearerToken.token = token
    case.call_and_validate(base_url=servers[role], headers=dict(INGRESS), checks=CHECKS)
