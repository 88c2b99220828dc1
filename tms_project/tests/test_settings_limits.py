"""Settings of the task service's limits: Redis required in production, quotas and rates from the
environment, checked at start-up."""

import secrets

import pytest

from tests.support.server import base_env, manage
from tms_project.jwt_keys import generate_private_key_pem, public_key_pem_of

pytestmark = pytest.mark.server

SHOW = (
    "from django.conf import settings as s; print(s.TMS_QUOTA_TASKS, s.TMS_QUOTA_LABELS, s.TMS_RATE_LIMITS)"
)


def tasks_production_env(**overrides: str) -> dict[str, str]:
    env = base_env(
        TMS_ENV="production",
        TMS_SERVICE="tasks",
        TMS_SECRET_KEY=secrets.token_urlsafe(50),
        TMS_ALLOWED_HOSTS="tms.example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TMS_JWT_PUBLIC_KEY=public_key_pem_of(generate_private_key_pem()),
    )
    env.update(overrides)
    return env


def test_the_tasks_role_refuses_to_start_in_production_without_redis():
    # its per-user limits must hold across pods
    env = tasks_production_env()
    del env["REDIS_URL"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_quotas_and_task_limits_come_from_the_environment():
    env = tasks_production_env(TMS_QUOTA_TASKS="500", TMS_QUOTA_LABELS="20", TMS_RATELIMIT_TASKS_IMPORT="2/d")
    result = manage("shell", "-c", SHOW, env=env)
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("500 20 {")
    assert "'tasks_import': '2/d'" in line and "'tasks_write': '300/m'" in line


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TMS_QUOTA_TASKS", "0", "TMS_QUOTA_TASKS must be at least 1"),
        ("TMS_QUOTA_LABELS", "many", "TMS_QUOTA_LABELS must be an integer"),
        ("TMS_RATELIMIT_TASKS_WRITE", "fast", "TMS_RATELIMIT_TASKS_WRITE must look like 10/m"),
    ],
)
def test_bad_values_are_refused_at_start(variable, value, message):
    result = manage("check", env=tasks_production_env(**{variable: value}))
    assert result.returncode != 0
    assert message in result.stderr
