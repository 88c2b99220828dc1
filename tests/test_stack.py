"""`make stack`: the production topology on this machine, driven through its nginx ingress."""

import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.server import ROOT, api, free_port, http, register_and_login
from tests.support.services import require
from tests.support.tools import require_tool

pytestmark = pytest.mark.server


def require_stack_tools() -> None:
    require_tool("nginx", "Debian package nginx; .ci/run installs it")
    require("mysql://127.0.0.1:3306", "MariaDB")
    require("redis://127.0.0.1:6379", "Redis")
    if not (ROOT / "frontend/dist/index.html").exists():
        pytest.skip("the web app is not built (make frontend)")


def stack_env(state: Path) -> tuple[dict[str, str], dict[str, str]]:
    ports = {name: str(free_port()) for name in ("INGRESS", "AUTH", "TASKS", "WORKER")}
    env = {
        **os.environ,
        "TMS_STACK_DIR": str(state),
        "TMS_STACK_DATABASE": "tms_stack_test",
        **{f"TMS_STACK_{name}_PORT": port for name, port in ports.items()},
    }
    return env, ports


@contextmanager
def running_stack(checkout: Path, state: Path):
    """`scripts/stack.py start` from `checkout` on an empty database; stopped and dropped afterwards."""
    require_stack_tools()
    env, ports = stack_env(state)
    import MySQLdb

    connection = MySQLdb.connect(host="127.0.0.1", user="root", password="")
    connection.cursor().execute("DROP DATABASE IF EXISTS tms_stack_test")
    command = [sys.executable, "scripts/stack.py"]
    try:
        started = subprocess.run(
            [*command, "start"], cwd=checkout, env=env, capture_output=True, text=True, timeout=300
        )
        assert started.returncode == 0, started.stdout + started.stderr
        yield f"http://127.0.0.1:{ports['INGRESS']}", ports
    finally:
        subprocess.run(
            [*command, "stop"], cwd=checkout, env=env, capture_output=True, timeout=60, check=False
        )
        connection.cursor().execute("DROP DATABASE IF EXISTS tms_stack_test")
        connection.close()


@pytest.fixture
def stack(tmp_path):
    with running_stack(ROOT, tmp_path / "stack") as started:
        yield started


def private_checkout(parent: Path) -> Path:
    """A copy of this checkout inside a 0700 folder, like a clone into /root (web app included)."""
    parent.mkdir(mode=0o700)
    parent.chmod(0o700)
    checkout = parent / "tms"
    # What git ignores and the stack does not need: caches, virtualenvs, builds (.cache can hold
    # the API server's build tree, gigabytes).
    skip = {".git", ".venv", ".venv-tools", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
    skip |= {".cache", ".mypy_cache", "build", "backups", "staticfiles"}
    shutil.copytree(
        ROOT,
        checkout,
        ignore=lambda _, names: [n for n in names if n in skip or n.startswith((".stack", "db.sqlite3"))],
    )
    return checkout


def test_the_stack_runs_from_a_checkout_in_a_private_folder(tmp_path):
    """nginx's workers must read the web app even when the checkout's folder is 0700 (e.g. /root)."""
    require_stack_tools()
    checkout = private_checkout(tmp_path / "home")
    with running_stack(checkout, checkout / ".stack") as (base, _ports):
        status, _headers, html = api("GET", f"{base}/")
        assert status == 200 and b'<div id="root">' in html
        assets = re.findall(rb'src="(/assets/[^"]+)"', html)
        assert assets and api("GET", f"{base}{assets[0].decode()}")[0] == 200
        tokens = register_and_login(base, "private", "private passphrase 12")
        assert api("GET", f"{base}/api/auth/me/", token=tokens["access"])[0] == 200
        assert api("GET", f"{base}/api/tasks/", token=tokens["access"])[0] == 200


def test_a_service_that_dies_at_start_is_named_at_once_with_its_log(tmp_path):
    """A crashed service ends the wait at once; the message names it and quotes its log."""
    require_stack_tools()
    env, _ = stack_env(tmp_path / "stack")
    script = (
        "import sys; sys.path.insert(0, 'scripts'); import stack\n"
        "stack.start({'tasks': {'TMS_JWT_PUBLIC_KEY_FILE': '/nonexistent/jwt-public.pem'}})\n"
    )
    started_at = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    elapsed = time.monotonic() - started_at
    subprocess.run([sys.executable, "scripts/stack.py", "stop"], cwd=ROOT, env=env, capture_output=True)
    assert result.returncode != 0
    log = tmp_path / "stack" / "logs" / "tasks.log"
    assert "tasks exited" in result.stderr, result.stderr
    assert str(log) in result.stderr and "jwt-public.pem" in result.stderr, result.stderr
    assert ".stack/logs" not in result.stderr.replace(str(tmp_path / "stack"), "")
    assert elapsed < 45, f"waited {elapsed:.0f}s for a process that had exited"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand nginx's workers to another user")
def test_an_unreadable_web_app_is_explained_from_nginxs_error_log(tmp_path):
    """Workers that cannot read the web app: the message quotes the 500 and nginx's error log."""
    require_stack_tools()
    checkout = private_checkout(tmp_path / "home")
    os.chown(checkout / "frontend" / "dist", 65534, 65534)  # nobody: cannot enter the 0700 folder
    env, _ = stack_env(tmp_path / "state")
    env["TMS_STACK_READY_SECONDS"] = "10"
    result = subprocess.run(
        [sys.executable, "scripts/stack.py", "start"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    subprocess.run([sys.executable, "scripts/stack.py", "stop"], cwd=checkout, env=env, capture_output=True)
    assert result.returncode != 0
    assert "HTTP 500" in result.stderr and "Permission denied" in result.stderr, result.stderr
    assert str(tmp_path / "state" / "logs" / "nginx-error.log") in result.stderr


def test_the_ingress_routes_to_each_service_and_serves_the_app(stack):
    base, ports = stack
    password = "stack passphrase 12"
    register_and_login(base, "s", password)
    # a client that claims another address: the ingress replaces it with the real one
    status, _, tokens = api(
        "POST",
        f"{base}/api/auth/login/",
        {"username": "s", "password": password},
        headers={"X-Forwarded-For": "6.6.6.6"},
    )
    assert status == 200
    status, _, task = api(
        "POST", f"{base}/api/tasks/", {"title": "through the ingress"}, token=tokens["access"]
    )
    assert status == 201
    status, _, page = api("GET", f"{base}/api/tasks/", token=tokens["access"])
    assert [t["id"] for t in page["results"]] == [task["id"]]
    status, _, sessions = api("GET", f"{base}/api/auth/sessions/", token=tokens["access"])
    assert sessions[0]["ip_address"] == "127.0.0.1"
    status, _headers, html = api("GET", f"{base}/board")
    assert status == 200 and b'<div id="root">' in html
    # each service serves only its own routes, even when asked directly
    assert api("GET", f"http://127.0.0.1:{ports['TASKS']}/api/auth/me/", token=tokens["access"])[0] == 404
    assert api("GET", f"http://127.0.0.1:{ports['AUTH']}/readyz")[0] == 200


def test_a_notifications_worker_runs_beside_the_services(stack):
    _base, ports = stack
    worker = f"http://127.0.0.1:{ports['WORKER']}"
    status, _, body = http("GET", f"{worker}/healthz")
    assert (status, body) == (200, b"ok\n")
    status, _, body = http("GET", f"{worker}/metrics")
    assert status == 200
    assert b"tms_notification_lag_seconds" in body and b"tms_notifications_sent_total" in body
    # it serves nothing else, and nothing of the API
    assert http("GET", f"{worker}/api/tasks/")[0] == 404


def test_stack_stop_ends_every_process(tmp_path, stack):
    _base, ports = stack
    env = {**os.environ, "TMS_STACK_DIR": str(tmp_path / "stack")}
    subprocess.run(
        [sys.executable, "scripts/stack.py", "stop"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    for port in ports.values():
        with pytest.raises(OSError, match=r"refused|reset|timed out"):
            http("GET", f"http://127.0.0.1:{port}/healthz", timeout=2)
