"""Swagger UI (/api/docs/) asks for the access token once: one JWT Bearer scheme for both services,
and beside it, on the task service only, the personal access token.

The account service and the task service check the same JWT with two authentication classes;
the schema must still name a single JWT scheme, ``bearerAuth``, on every operation that needs
the token; the task service's operations also take ``personalAccessToken``; and the operations
named must really refuse a request without one.
"""

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
# The task service: a personal access token, or the session's JWT.
TOKEN_OR_BEARER: list[dict[str, list[str]]] = [{"personalAccessToken": []}, {"bearerAuth": []}]
PUBLIC: list[dict[str, list[str]]] = [{}]  # OpenAPI: no requirement, the operation takes anonymous requests


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_schema_has_one_jwt_bearer_scheme_and_the_personal_token_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    assert sorted(schemes) == ["bearerAuth", "personalAccessToken"]
    shape = ("type", "scheme", "bearerFormat")
    assert {k: schemes["bearerAuth"][k] for k in shape} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {k: schemes["personalAccessToken"][k] for k in shape} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "tms_pat_…",
    }


def test_every_operation_of_both_services_is_public_or_uses_the_one_scheme(schema):
    found: dict[str, list[str]] = {"/api/auth/": [], "/api/tasks/": []}
    secured = {"/api/auth/": BEARER, "/api/tasks/": TOKEN_OR_BEARER}
    for method, path, operation in operations(schema):
        security = operation.get("security")
        prefix = next(p for p in found if path.startswith(p))
        assert security in (secured[prefix], PUBLIC), f"{method.upper()} {path}: {security}"
        if security == secured[prefix]:
            found[prefix].append(f"{method} {path}")
    assert found["/api/auth/"], "no secured operation of the account service"
    assert found["/api/tasks/"], "no secured operation of the task service"


def test_the_public_operations_are_the_sign_in_and_link_endpoints(schema):
    public = {f"{m} {p}" for m, p, op in operations(schema) if op.get("security") == PUBLIC}
    assert public == {
        "post /api/auth/register/",
        "post /api/auth/login/",
        "post /api/auth/login/2fa/",
        "post /api/auth/refresh/",
        "post /api/auth/logout/",
        "post /api/auth/password/reset/",
        "post /api/auth/password/reset/confirm/",
        "post /api/auth/email/confirm/",
        "post /api/auth/email/revert/",
    }


def test_every_operation_documented_as_secured_refuses_a_request_without_a_token(schema):
    client = APIClient()
    for method, path, operation in operations(schema):
        if operation.get("security") not in (BEARER, TOKEN_OR_BEARER):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {url}: {response.status_code}"
        assert response["WWW-Authenticate"].startswith("Bearer"), f"{method.upper()} {url}"
