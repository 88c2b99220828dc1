"""Swagger UI (/api/docs/) asks for the access token once: one Bearer scheme for both services.

The account service and the task service check the same token with two authentication classes;
the schema must still name a single security scheme, ``bearerAuth``, on every operation that
needs the token, and the operations it names must really refuse a request without one.
"""

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
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


def test_the_schema_has_one_security_scheme_a_jwt_bearer_token(schema):
    schemes = schema["components"]["securitySchemes"]
    assert list(schemes) == ["bearerAuth"]
    assert {k: schemes["bearerAuth"][k] for k in ("type", "scheme", "bearerFormat")} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


def test_every_operation_of_both_services_is_public_or_uses_the_one_scheme(schema):
    found: dict[str, list[str]] = {"/api/auth/": [], "/api/tasks/": []}
    for method, path, operation in operations(schema):
        security = operation.get("security")
        assert security in (BEARER, PUBLIC), f"{method.upper()} {path}: {security}"
        if security == BEARER:
            prefix = next(p for p in found if path.startswith(p))
            found[prefix].append(f"{method} {path}")
    assert found["/api/auth/"], "no secured operation of the account service"
    assert found["/api/tasks/"], "no secured operation of the task service"


def test_the_public_operations_are_the_sign_in_and_link_endpoints(schema):
    public = {f"{m} {p}" for m, p, op in operations(schema) if op.get("security") == PUBLIC}
    assert public == {
        "post /api/auth/register/",
        "post /api/auth/login/",
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
        if operation.get("security") != BEARER:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {url}: {response.status_code}"
        assert response["WWW-Authenticate"].startswith("Bearer"), f"{method.upper()} {url}"
