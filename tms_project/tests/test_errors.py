"""Every error under /api/ is the one documented JSON shape (docs/api.md)."""

import json
import socket

import pytest

from tms_project import gunicorn_errors
from tms_project.security_headers import SECURITY_HEADERS
from tms_project.tests import error_urls

pytestmark = [pytest.mark.urls("tms_project.tests.error_urls"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _clear_calls():
    error_urls.calls.clear()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def test_malformed_json_is_400_and_changes_nothing(client):
    # when
    response = client.post("/api/echo/", data='{"title": "ab', content_type="application/json")
    # then
    error = assert_error(response, 400, "parse_error")
    assert "JSON" in error["message"]
    assert error_urls.calls == []


def test_invalid_utf8_is_400(client):
    response = client.post("/api/echo/", data=b'{"title": "\xff\xfe"}', content_type="application/json")
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body",
    [b'{"title": "ok", "a\\ud800b": 1}', b'{"title": "\\udfff"}', b'{"title": {"x": ["\\ud83d"]}}'],
    ids=["in-a-field-name", "in-a-value", "nested"],
)
def test_a_lone_surrogate_is_400_in_utf8(client, body):
    # JSON may escape half a UTF-16 pair; no text holds one, and no answer could repeat it
    response = client.post("/api/echo/", data=body, content_type="application/json")
    error = assert_error(response, 400, "parse_error")
    assert "surrogate" in error["message"]
    assert json.loads(response.content.decode("utf-8"))  # strict: the body is UTF-8
    assert error_urls.calls == []


def test_an_escaped_surrogate_pair_is_one_character(client):
    response = client.post("/api/echo/", data=b'{"title": "\\ud83d\\ude00"}', content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"title": "\U0001f600"}


def test_validation_error_names_the_field(client):
    response = client.post("/api/echo/", data={"title": "far too long"}, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {"title": ["Ensure this field has no more than 5 characters."]}
    assert error_urls.calls == []


def test_valid_request_still_succeeds(client):
    response = client.post("/api/echo/", data={"title": "ok"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {"title": "ok"}


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_route_is_404_json(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/no-such-thing/")
    assert_error(response, 404, "not_found")


def test_wrong_method_is_405_with_allow(client):
    response = client.put("/api/echo/", data={}, content_type="application/json")
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "PUT" not in response["Allow"]


def test_body_over_the_limit_is_413_before_the_view_runs(client, settings):
    settings.TMS_MAX_BODY_BYTES = 2048
    body = json.dumps({"title": "x" * 4096})
    response = client.post("/api/echo/", data=body, content_type="application/json")
    error = assert_error(response, 413, "request_too_large")
    assert "2048" in error["message"]
    assert error_urls.calls == []


def test_body_under_the_limit_passes(client, settings):
    settings.TMS_MAX_BODY_BYTES = 2048
    response = client.post("/api/echo/", data={"title": "ok"}, content_type="application/json")
    assert response.status_code == 201


def test_wrong_content_type_is_415(client):
    response = client.post("/api/echo/", data="title=ok", content_type="application/x-www-form-urlencoded")
    error = assert_error(response, 415, "unsupported_media_type")
    assert "application/x-www-form-urlencoded" in error["message"]
    assert error_urls.calls == []


@pytest.mark.parametrize("debug", [False, True])
def test_unhandled_error_is_500_json_without_details(client, settings, caplog, debug):
    settings.DEBUG = debug
    # when
    response = client.get("/api/echo/")
    # then: the client learns nothing about the failure ...
    error = assert_error(response, 500, "server_error")
    text = response.content.decode()
    for leaked in ("boom", "hunter2", "secret-token", "Traceback", "RuntimeError"):
        assert leaked not in text
    # ... and the operator finds the traceback in the log, under the same request id.
    record = next(r for r in caplog.records if r.name == "tms.api")
    assert record.exc_info is not None
    assert error["request_id"] == response["X-Request-ID"]


def test_database_outage_is_503_with_retry_after(client):
    response = client.get("/api/database-down/")
    error = assert_error(response, 503, "service_unavailable")
    assert response["Retry-After"] == "5"
    assert "mysql-service" not in error["message"]


def test_non_api_paths_keep_django_pages(client):
    response = client.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("get", "/api/no-such-thing/", None), ("post", "/api/echo/", "x" * 4096)],
    ids=["replaced 404", "413 before the view"],
)
def test_errors_keep_the_security_and_cors_headers(client, settings, method, path, body):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    settings.TMS_MAX_BODY_BYTES = 2048
    # when
    response = getattr(client, method)(
        path, data=body, content_type="application/json", HTTP_ORIGIN="https://app.example.com"
    )
    # then the JSON error still says how the browser may use it
    assert response["Content-Type"] == "application/json"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def gunicorn_answer(status: int, reason: str) -> tuple[str, dict[str, str], dict]:
    """What gunicorn writes itself for a request it refuses (tms_project.gunicorn_errors)."""
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        gunicorn_errors.write_json_error(server_side, status, reason, "the request, echoed")
        server_side.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := client_side.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    return status_line, dict(line.split(": ", 1) for line in lines), json.loads(body)


@pytest.mark.parametrize(
    ("status", "reason"), [(414, "Request-URI Too Long"), (431, "Request Header Fields Too Large")]
)
def test_what_gunicorn_refuses_carries_the_security_headers_of_every_answer(client, status, reason):
    # given what Django sends on its own answers
    django_headers = client.get("/api/no-such-thing/").headers
    # when gunicorn refuses a request before Django sees it
    status_line, headers, body = gunicorn_answer(status, reason)
    # then it answers in the error shape with the same security headers
    assert status_line == f"HTTP/1.1 {status} {reason}"
    assert headers["Content-Type"] == "application/json"
    assert body["error"]["status"] == status
    for name in SECURITY_HEADERS:
        assert headers[name] == django_headers[name], name
    assert "Strict-Transport-Security" not in headers  # development: plain HTTP


def test_what_gunicorn_refuses_in_production_carries_hsts(monkeypatch):
    monkeypatch.setenv("TMS_ENV", "production")
    monkeypatch.setenv("TMS_HSTS_SECONDS", "63072000")
    monkeypatch.setenv("TMS_HSTS_PRELOAD", "false")
    _, headers, _ = gunicorn_answer(431, "Request Header Fields Too Large")
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
