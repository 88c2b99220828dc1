"""Request ids and the JSON request log."""

import json
import logging
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

from tms_project.jsonlog import JsonFormatter
from tms_project.middleware import request_log
from tms_project.middleware.api_errors import server_error

pytestmark = [pytest.mark.urls("tms_project.tests.error_urls"), pytest.mark.django_db]


def request_records(caplog):
    return [r for r in caplog.records if r.name == "tms.request"]


def test_request_id_is_generated_and_echoed(client):
    first = client.get("/api/no-such-thing/")
    second = client.get("/api/no-such-thing/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/api/no-such-thing/", HTTP_X_REQUEST_ID="ingress-abc.123")
    assert response["X-Request-ID"] == "ingress-abc.123"
    assert response.json()["error"]["request_id"] == "ingress-abc.123"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "<script>", "new\nline"])
def test_an_unsafe_incoming_request_id_is_replaced(client, bad):
    response = client.get("/api/no-such-thing/", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_one_json_line_per_request_without_query_or_body(client, caplog):
    caplog.set_level(logging.INFO, logger="tms.request")
    # when
    response = client.post(
        "/api/echo/?token=secret-in-query",
        data={"title": "pw123"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-1",
    )
    # then
    [record] = request_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "request"
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-1"
    assert line["method"] == "POST"
    assert line["path"] == "/api/echo/"
    assert line["route"] == "api/echo/"
    assert line["status"] == response.status_code == 201
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float)
    raw = JsonFormatter().format(record)
    assert "secret-in-query" not in raw and "pw123" not in raw


def test_lines_written_during_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    client.get("/api/echo/", HTTP_X_REQUEST_ID="req-500")
    error_line = json.loads(JsonFormatter().format(next(r for r in caplog.records if r.name == "tms.api")))
    assert error_line["request_id"] == "req-500"
    assert "RuntimeError" in error_line["exc_info"]


@pytest.mark.parametrize(
    ("pk", "logged"),
    [(7, 7), ("7", 7), (None, None), ("abc", None), ({"id": 7}, None), ([7], None), (float("inf"), None)],
)
def test_the_logged_user_id_is_a_number_or_none_whatever_the_token_says(pk, logged):
    # the task service's user is what its token claims; the log line must never fail on it
    request = RequestFactory().get("/api/tasks/")
    request.user = SimpleNamespace(is_authenticated=True, pk=pk)
    assert request_log._user_id(request) == logged


def test_a_failure_in_the_request_log_itself_still_answers_json(monkeypatch):
    # given the middleware that runs before the API's error handling fails
    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(request_log, "incoming_request_id", broken)
    client = Client(raise_request_exception=False)
    # when
    api_response = client.get("/api/no-such-thing/")
    page_response = client.get("/no-such-page/")
    # then the API still answers in its error shape, never an HTML page
    assert api_response.status_code == 500
    assert api_response["Content-Type"] == "application/json"
    assert api_response.json()["error"]["code"] == "server_error"
    assert "boom" not in api_response.content.decode()
    assert api_response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in api_response["Content-Security-Policy"]
    assert page_response.status_code == 500
    assert page_response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("role", ["all", "auth", "tasks"])
def test_every_role_answers_json_for_errors_outside_the_api_handling(role):
    assert get_resolver(f"tms_project.urls.{role}").resolve_error_handler(500) is server_error
