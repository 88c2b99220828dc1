"""The import body limit is one number everywhere: the code, the docs, and every proxy in front.

docs/api.md promises imports of up to 10 MiB (TMS_MAX_IMPORT_BYTES) and other bodies up to
1 MiB (TMS_MAX_BODY_BYTES). The application enforces both; the ingress (k8s) and the local
stack's nginx must let exactly as much through, or a documented import would be cut off there
(nginx's own 413 is HTML, not the API's JSON error).
"""

import json
import re

import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tests.support.clients import access_token_for
from tests.support.tools import ROOT

MIB = 1024 * 1024
IMPORT = "/api/tasks/import/"


def nginx_bytes(size: str) -> int:
    """An nginx size (``10m``, ``512k``, ``1024``): k and m are powers of 1024."""
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size.strip()).groups()
    return int(number) * {"": 1, "k": 1024, "m": MIB, "g": 1024 * MIB}[unit.lower()]


def test_the_defaults_are_the_documented_ones():
    assert settings.TMS_MAX_IMPORT_BYTES == 10 * MIB
    assert settings.TMS_MAX_BODY_BYTES == 1 * MIB
    api_doc = (ROOT / "docs/api.md").read_text()
    assert "`TMS_MAX_IMPORT_BYTES` (10 MiB)" in api_doc
    readme = (ROOT / "README.md").read_text()
    assert f"| `TMS_MAX_IMPORT_BYTES` | `{10 * MIB}` |" in readme
    assert f"| `TMS_MAX_BODY_BYTES` | `{MIB}` |" in readme


def test_the_ingress_lets_a_whole_import_through():
    ingress = yaml.safe_load((ROOT / "k8s/base/common/ingress.yaml").read_text())
    size = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert nginx_bytes(size) == settings.TMS_MAX_IMPORT_BYTES


def test_the_local_stacks_nginx_lets_a_whole_import_through():
    sizes = re.findall(r"client_max_body_size\s+(\w+);", (ROOT / "scripts/stack.py").read_text())
    assert sizes, "scripts/stack.py should set client_max_body_size (nginx's default is 1 MiB)"
    assert {nginx_bytes(size) for size in sizes} == {settings.TMS_MAX_IMPORT_BYTES}


def padded_import(size: int) -> bytes:
    """A JSON import of exactly ``size`` bytes whose one row has an over-long description."""
    skeleton = json.dumps({"tasks": [{"title": "big", "description": ""}]}).encode()
    body = skeleton.replace(b'"description": ""', b'"description": "' + b"x" * (size - len(skeleton)) + b'"')
    assert len(body) == size
    return body


@pytest.mark.django_db
def test_an_import_of_exactly_the_limit_is_read_and_one_byte_more_is_413():
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(UserFactory())}")
    limit = settings.TMS_MAX_IMPORT_BYTES
    # when: exactly 10 MiB
    read = api.post(IMPORT, data=padded_import(limit), content_type="application/json")
    # then: parsed and validated (the description is too long for a task), not refused for its size
    assert read.status_code == 400, read.content[:300]
    assert "description" in read.json()["error"]["fields"]["tasks"]["0"]
    # when: one byte more
    refused = api.post(IMPORT, data=padded_import(limit + 1), content_type="application/json")
    # then
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "request_too_large"
    assert f"limit of {limit} bytes" in refused.json()["error"]["message"]
    # other endpoints keep the 1 MiB limit
    other = api.post(
        "/api/tasks/", data=padded_import(settings.TMS_MAX_BODY_BYTES + 1), content_type="application/json"
    )
    assert other.status_code == 413
    assert not Task.objects.exists()
