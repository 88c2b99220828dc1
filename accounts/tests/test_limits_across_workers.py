"""Rate limits hold exactly across gunicorn workers that share Redis."""

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.support.server import GunicornServer, base_env, http, manage
from tms_project.jwt_keys import write_key_pair

pytestmark = pytest.mark.server

LIMIT = 10
ATTEMPTS = 24


@pytest.fixture
def auth_env(tmp_path, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    private_key, _ = write_key_pair(tmp_path / "keys")
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=redis_url,
        TMS_JWT_PRIVATE_KEY_FILE=str(private_key),
        TMS_RATELIMIT_LOGIN_IP=f"{LIMIT}/d",  # a window that cannot end during the test
        TMS_TRUSTED_PROXIES="1",
    )
    assert manage("migrate", "--noinput", env=env).returncode == 0
    return env


def login(url: str, forwarded_for: str, username: str = "ada") -> int:
    body = json.dumps({"username": username, "password": "wrong password!"}).encode()
    headers = {"Content-Type": "application/json", "X-Forwarded-For": forwarded_for}
    return http("POST", f"{url}/api/auth/login/", body=body, headers=headers)[0]


def test_login_limit_is_exact_across_two_workers_and_ignores_spoofing(tmp_path, auth_env):
    log_path = tmp_path / "gunicorn.log"
    with GunicornServer(auth_env, workers=2, log_path=log_path) as server:
        server.warm_up()
        # when: one client fires attempts concurrently, each with a different forged prefix
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(
                pool.map(lambda n: login(server.url, f"10.9.{n}.1, 203.0.113.7"), range(ATTEMPTS))
            )
        # a different real client behind the same proxy is not affected
        # (another account name: ada's own budget of failures is spent by now)
        other_client = login(server.url, "198.51.100.20", username="bob")
    # then: exactly LIMIT attempts were evaluated, the rest refused
    assert Counter(statuses) == {401: LIMIT, 429: ATTEMPTS - LIMIT}
    assert other_client == 401
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    pids = {line["pid"] for line in lines if line.get("path") == "/api/auth/login/"}
    assert len(pids) == 2, "both workers should have answered login attempts"
