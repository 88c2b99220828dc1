"""The task service's per-user limits hold exactly across processes (pods) that share Redis."""

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import pytest
import redis

from tests.support.server import GunicornServer, base_env, http, manage, register_and_login

pytestmark = pytest.mark.server

PASSWORD = "limits passphrase 2026"  # a throwaway account on a throwaway database
STATS_LIMIT = 10
WRITE_LIMIT = 6
ATTEMPTS = 24


@pytest.fixture
def env(tmp_path, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        # Daily windows: a run never straddles a window boundary.
        TMS_RATELIMIT_TASKS_STATS=f"{STATS_LIMIT}/d",
        TMS_RATELIMIT_TASKS_WRITE=f"{WRITE_LIMIT}/d",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    return env


def call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else None
    status, response_headers, _ = http(method, url, body=payload, headers=headers)
    return status, response_headers


def test_per_user_limits_are_exact_across_two_servers(tmp_path, env):
    # given: two servers ("pods") on one database and one Redis
    with (
        GunicornServer(env, log_path=tmp_path / "a.log") as a,
        GunicornServer(env, log_path=tmp_path / "b.log") as b,
    ):
        ada = register_and_login(a.url, "ada", PASSWORD)["access"]
        bob = register_and_login(b.url, "bob", PASSWORD)["access"]
        servers = cycle([a.url, b.url])
        # when: ada fires stats requests and creates at both servers at once
        with ThreadPoolExecutor(max_workers=8) as pool:
            stats = list(
                pool.map(
                    lambda url: call("GET", f"{url}/api/tasks/stats/", ada),
                    [next(servers) for _ in range(ATTEMPTS)],
                )
            )
            creates = list(
                pool.map(
                    lambda url: call("POST", f"{url}/api/tasks/", ada, {"title": "t"}),
                    [next(servers) for _ in range(ATTEMPTS)],
                )
            )
        # then: exactly the limits went through, counted together by both servers
        assert Counter(status for status, _ in stats) == {200: STATS_LIMIT, 429: ATTEMPTS - STATS_LIMIT}
        assert Counter(status for status, _ in creates) == {201: WRITE_LIMIT, 429: ATTEMPTS - WRITE_LIMIT}
        assert all(int(headers["Retry-After"]) >= 1 for status, headers in stats + creates if status == 429)
        # bob's budget is his own, on either server
        assert call("GET", f"{a.url}/api/tasks/stats/", bob)[0] == 200
        assert call("POST", f"{b.url}/api/tasks/", bob, {"title": "mine"})[0] == 201
    for log in ("a.log", "b.log"):
        lines = [
            json.loads(line) for line in (tmp_path / log).read_text().splitlines() if line.startswith("{")
        ]
        assert any(line.get("status") == 429 for line in lines), f"{log}: each server refused some"
