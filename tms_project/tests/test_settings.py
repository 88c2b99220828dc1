"""Production settings: fail loudly without secrets, and pass `check --deploy` cleanly."""

import secrets

import pytest

from tests.support.server import base_env, manage
from tms_project.jwt_keys import generate_private_key_pem, public_key_pem_of

PRIVATE_KEY = generate_private_key_pem()
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"

pytestmark = pytest.mark.server


def production_env(**overrides: str) -> dict[str, str]:
    env = base_env(
        TMS_ENV="production",
        TMS_SECRET_KEY=secrets.token_urlsafe(50),
        TMS_ALLOWED_HOSTS="tms.example.com",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TMS_JWT_PRIVATE_KEY=PRIVATE_KEY,
        TMS_EMAIL_BACKEND=SMTP,
    )
    env.update(overrides)
    return env


def test_check_deploy_reports_zero_issues():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("TMS_SECRET_KEY", "TMS_SECRET_KEY is not set"),
        ("TMS_ALLOWED_HOSTS", "TMS_ALLOWED_HOSTS is not set"),
        ("REDIS_URL", "REDIS_URL is not set"),
        ("TMS_JWT_PRIVATE_KEY", "TMS_JWT_PRIVATE_KEY_FILE is not set"),
    ],
)
def test_production_refuses_to_start_without(missing, message):
    env = production_env()
    del env[missing]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_counts_through_sentinel_in_place_of_redis_url():
    env = production_env(TMS_REDIS_SENTINELS="redis-0.redis-headless:26379, redis-1:26379")
    del env["REDIS_URL"]
    show = "from django.conf import settings as s;c=s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    result = manage("shell", "-c", show, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "tms_project.cache.SentinelRedisCache ['redis-0.redis-headless:26379', 'redis-1:26379']"
    )
    bad = manage("check", env={**env, "TMS_REDIS_SENTINELS": "redis-0.redis-headless"})
    assert bad.returncode != 0
    assert "TMS_REDIS_SENTINELS: 'redis-0.redis-headless' is not host:port." in bad.stderr


def test_production_debug_is_off_unless_asked_for():
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=production_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_production_refuses_debug_mode():
    result = manage("check", env=production_env(TMS_DEBUG="true"))
    assert result.returncode != 0
    assert "TMS_DEBUG=true is refused in production" in result.stderr


@pytest.mark.parametrize("backend", [CONSOLE, None], ids=["console", "unset"])
@pytest.mark.parametrize("role", ["auth", "all"])
def test_production_refuses_to_print_reset_mails_into_the_logs(backend, role):
    # given a role that sends password reset mail, with the console backend (also the default)
    env = production_env(TMS_SERVICE=role)
    if backend is None:
        del env["TMS_EMAIL_BACKEND"]
    else:
        env["TMS_EMAIL_BACKEND"] = backend
    # when
    result = manage("check", env=env)
    # then
    assert result.returncode != 0
    assert "TMS_EMAIL_BACKEND is the console backend" in result.stderr
    assert "TMS_ALLOW_CONSOLE_EMAIL=true" in result.stderr


def test_production_keeps_the_console_mail_backend_when_allowed():
    env = production_env(TMS_EMAIL_BACKEND=CONSOLE, TMS_ALLOW_CONSOLE_EMAIL="true")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def test_the_tasks_role_needs_no_mail_server(tmp_path):
    public = tmp_path / "jwt-public.pem"
    public.write_text(public_key_pem_of(PRIVATE_KEY))
    env = production_env(TMS_SERVICE="tasks", TMS_JWT_PUBLIC_KEY_FILE=str(public))
    del env["TMS_JWT_PRIVATE_KEY"], env["TMS_EMAIL_BACKEND"]
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


SHOW_DOCS = """
from django.test import Client
client = Client(HTTP_HOST="tms.example.com")
for path in ("/api/docs/", "/api/schema/"):
    print(path, client.get(path, secure=True).status_code)
"""


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> str:
    """Collected static files: production pages refer to them through the manifest."""
    root = str(tmp_path_factory.mktemp("static"))
    result = manage("collectstatic", "--noinput", env=production_env(TMS_STATIC_ROOT=root))
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize("role", ["auth", "tasks"])
def test_production_serves_no_api_docs_unless_asked_for(tmp_path, static_root, role):
    env = production_env(
        TMS_SERVICE=role, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", TMS_STATIC_ROOT=static_root
    )
    if role == "tasks":
        env["TMS_JWT_PUBLIC_KEY"] = public_key_pem_of(env.pop("TMS_JWT_PRIVATE_KEY"))
    default = manage("shell", "-c", SHOW_DOCS, env=env)
    asked_for = manage("shell", "-c", SHOW_DOCS, env={**env, "TMS_API_DOCS": "true"})
    assert default.returncode == 0 and asked_for.returncode == 0, default.stderr + asked_for.stderr
    assert answers(default.stdout) == ["/api/docs/ 404", "/api/schema/ 404"]
    assert answers(asked_for.stdout) == ["/api/docs/ 200", "/api/schema/ 200"]


def answers(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("/api/")]  # not the JSON log lines


def test_development_runs_with_no_configuration_at_all(tmp_path):
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_an_unknown_role_is_refused_with_the_choices():
    result = manage("check", env=base_env(TMS_SERVICE="billing"))
    assert result.returncode != 0
    assert "TMS_SERVICE must be one of all, auth, tasks" in result.stderr


def test_the_tasks_role_refuses_to_hold_the_signing_key():
    result = manage("check", env=production_env(TMS_SERVICE="tasks"))
    assert result.returncode != 0
    assert "The tasks service must not hold the token signing key" in result.stderr


def test_the_tasks_role_needs_the_public_key():
    env = production_env(TMS_SERVICE="tasks")
    del env["TMS_JWT_PRIVATE_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "TMS_JWT_PUBLIC_KEY_FILE is not set" in result.stderr


def test_the_tasks_role_starts_with_only_the_public_key(tmp_path):
    public = tmp_path / "jwt-public.pem"
    public.write_text(public_key_pem_of(PRIVATE_KEY))
    env = production_env(TMS_SERVICE="tasks", TMS_JWT_PUBLIC_KEY_FILE=str(public))
    del env["TMS_JWT_PRIVATE_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr


def test_a_mismatched_key_pair_is_refused():
    env = production_env(TMS_JWT_PUBLIC_KEY=public_key_pem_of(generate_private_key_pem()))
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "does not belong to" in result.stderr
