"""A calendar feed's token is its URL: no log line TMS writes holds it, under real gunicorn too."""

import pytest

from tests.support.server import GunicornServer, http
from tms_project.redaction import redact_path

TOKEN = "tmscal_" + "Q" * 43


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/api/tasks/calendar/{TOKEN}.ics", "/api/tasks/calendar/[redacted]"),
        ("/api/tasks/calendar/anything-at-all", "/api/tasks/calendar/[redacted]"),
        ("/api/tasks/calendar-feed/", "/api/tasks/calendar-feed/"),
        ("/api/tasks/42/", "/api/tasks/42/"),
        ("/api/tasks/calendar/", "/api/tasks/calendar/"),
        ("", ""),
        (None, None),
    ],
)
def test_only_a_feeds_path_is_redacted(path, logged):
    assert redact_path(path) == logged


@pytest.mark.server
def test_neither_the_request_log_nor_gunicorns_access_log_holds_the_token(tmp_path, sqlite_env):
    log_path = tmp_path / "gunicorn.log"
    env = {**sqlite_env, "GUNICORN_ACCESS_LOG": "-"}
    with GunicornServer(env, log_path=log_path) as server:
        status, _, _ = http(
            "GET", f"{server.url}/api/tasks/calendar/{TOKEN}.ics", headers={"X-Request-ID": "feed-1"}
        )
    assert status == 404
    text = log_path.read_text()
    # the application's request line and gunicorn's access line
    assert text.count('"path": "/api/tasks/calendar/[redacted]"') == 2 and "feed-1" in text
    assert "QQQQQQQQ" not in text
