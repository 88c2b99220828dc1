"""The web app's API client only calls endpoints the OpenAPI schema has, with those methods."""

import re

import pytest
from django.urls import reverse

from tests.support.tools import ROOT

pytestmark = pytest.mark.django_db

CLIENT = (ROOT / "frontend/src/api/tms.ts").read_text()
CALL = re.compile(r"client\.(get|post|patch|delete)<?[^(]*\(\s*`?\"?(/api/[^\"`,)?]*)")


def calls() -> list[tuple[str, str]]:
    found = []
    for method, path in CALL.findall(CLIENT):
        # template parts such as ${task.id} stand for one path segment
        found.append((method, re.sub(r"\$\{[^}]+\}", "{id}", path)))
    return found


def schema_operations(client) -> set[tuple[str, str]]:
    response = client.get(reverse("schema"), {"format": "json"}, HTTP_HOST="localhost")
    paths = response.json()["paths"]
    return {(method, re.sub(r"\{[^}]+\}", "{id}", path)) for path, item in paths.items() for method in item}


def test_the_client_calls_only_documented_operations(client):
    documented = schema_operations(client)
    used = calls()
    assert len(used) >= 20, "the pattern should find the client's calls"
    missing = [(m, p) for m, p in used if (m, p) not in documented and (m, p.split("?")[0]) not in documented]
    assert missing == []
