"""TMS under real gunicorn: multiprocess metrics, readiness against broken dependencies, JSON logs."""

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.server import GunicornServer, base_env, http

pytestmark = pytest.mark.server

BATCH = 30


def metric_total(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_from_two_workers_add_up(tmp_path, sqlite_env):
    metrics_dir = tmp_path / "metrics"
    env = {**sqlite_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    sent = 0
    with GunicornServer(env, workers=2, log_path=tmp_path / "gunicorn.log") as server:
        # when: batches of concurrent requests until both workers have served some
        deadline = time.monotonic() + 20
        with ThreadPoolExecutor(max_workers=8) as pool:
            while len(list(metrics_dir.glob("counter_*.db"))) < 2 and time.monotonic() < deadline:
                statuses = list(pool.map(lambda _: http("GET", f"{server.url}/api/nope/")[0], range(BATCH)))
                assert statuses == [404] * BATCH
                sent += BATCH
        workers_that_counted = list(metrics_dir.glob("counter_*.db"))
        # then: one scrape reports every request, whichever worker answers it
        _, headers, body = http("GET", f"{server.url}/metrics")
    assert len(workers_that_counted) == 2, "both workers should have served requests"
    assert headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert metric_total(text, "django_http_requests_total_by_method_total", method="GET") == sent
    assert metric_total(text, "django_http_responses_total_by_status_total", status="404") == sent


def test_metrics_directory_is_emptied_at_start(tmp_path, sqlite_env):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"stale samples from a previous run")
    env = {**sqlite_env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    with GunicornServer(env, log_path=tmp_path / "gunicorn.log"):
        assert not (metrics_dir / "counter_99999.db").exists()


def test_ready_when_database_cache_and_migrations_are_fine(tmp_path, sqlite_env, redis_url):
    with GunicornServer({**sqlite_env, "REDIS_URL": redis_url}, log_path=tmp_path / "g.log") as server:
        status, _, body = http("GET", f"{server.url}/readyz")
    assert status == 200
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"DATABASE_URL": "mysql://root@127.0.0.1:9/tms"}, {"database": "failed", "migrations": "skipped"}),
        ({"REDIS_URL": "redis://127.0.0.1:9/0"}, {"cache": "failed"}),
    ],
    ids=["database-down", "cache-down"],
)
def test_not_ready_but_alive_when_a_dependency_is_down(tmp_path, sqlite_env, overrides, failed):
    with GunicornServer({**sqlite_env, **overrides}, log_path=tmp_path / "g.log") as server:
        ready_status, ready_headers, ready_body = http("GET", f"{server.url}/readyz")
        live_status, _, _ = http("GET", f"{server.url}/healthz")
    assert live_status == 200
    assert ready_status == 503
    assert ready_headers["Content-Type"] == "application/json"
    body = json.loads(ready_body)
    assert body["status"] == "unavailable"
    for check, state in failed.items():
        assert body["checks"][check] == state
    assert "127.0.0.1:9" not in ready_body.decode()


def test_not_ready_while_migrations_are_pending(tmp_path):
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with GunicornServer(env, log_path=tmp_path / "g.log") as server:
        status, _, body = http("GET", f"{server.url}/readyz")
    assert status == 503
    assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "migrations": "failed"}


def test_logs_are_json_lines_with_access_log(tmp_path, sqlite_env):
    log_path = tmp_path / "gunicorn.log"
    env = {**sqlite_env, "GUNICORN_ACCESS_LOG": "-"}
    with GunicornServer(env, log_path=log_path) as server:
        http("GET", f"{server.url}/api/no-such-thing/", headers={"X-Request-ID": "trace-42"})
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    assert any(line["message"].startswith("Booting worker") for line in lines)
    [app_line] = [
        line for line in lines if line["message"] == "request" and line.get("request_id") == "trace-42"
    ]
    assert app_line["status"] == 404 and app_line["path"] == "/api/no-such-thing/"
    [access_line] = [
        line for line in lines if line["message"] == "access" and line.get("request_id") == "trace-42"
    ]
    assert access_line["status"] == 404 and access_line["method"] == "GET"
    assert re.fullmatch(r"\d+(\.\d+)?", str(access_line["duration_ms"]))
