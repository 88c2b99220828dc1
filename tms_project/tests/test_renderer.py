"""The orjson renderer writes exactly the bytes DRF's JSONRenderer writes."""

import datetime
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from tms_project.api.renderers import TmsJSONRenderer

PAYLOADS = [
    {"results": [{"id": 1, "title": "Zoë’s 📎 task", "labels": [], "due_date": None}], "next": None},
    {"detail": ErrorDetail("Not found.", code="not_found"), "code": "not_found"},
    {"title": [gettext_lazy("This field is required.")]},
    {"line": "one\u2028two\u2029three", "tab": "a\tb", "quote": '"\\'},
    {"when": datetime.datetime(2026, 12, 5, 18, 0, tzinfo=datetime.UTC), "day": datetime.date(2026, 12, 5)},
    {"berlin": datetime.datetime(2026, 7, 1, 9, 30, 15, 250, tzinfo=ZoneInfo("Europe/Berlin"))},
    {"naive": datetime.datetime(2026, 1, 2, 3, 4, 5)},  # noqa: DTZ001 - as a naive value renders
    {"at": datetime.time(9, 15), "span": datetime.timedelta(1)},
    {"amount": decimal.Decimal("1.50"), "id": uuid.UUID(int=7), "numbers": (1, 2.5, -3, True, False)},
    {1: "int keys become strings", "nested": {"deep": [[{"x": []}]]}},
    ReturnDict({"a": 1}, serializer=serializers.Serializer()),
    ReturnList([{"b": 2}], serializer=serializers.Serializer()),
    {"big": 2**70},
    [],
    "text",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_same_bytes_as_drf(payload):
    assert TmsJSONRenderer().render(payload) == JSONRenderer().render(payload)


def test_indent_asked_for_is_honoured():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    expected = b'{\n  "a": [\n    1,\n    2\n  ]\n}'
    assert TmsJSONRenderer().render(data, media) == JSONRenderer().render(data, media) == expected


def test_nothing_renders_as_an_empty_body():
    assert TmsJSONRenderer().render(None) == b""


def test_an_api_answer_is_rendered_by_it(client):
    response = client.get("/api/tasks/")
    assert response.status_code == 401
    assert isinstance(response.accepted_renderer, TmsJSONRenderer)
    assert response.content == JSONRenderer().render(response.json())
