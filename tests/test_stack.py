"""`make stack`: the production topology on this machine, driven through its nginx ingress."""

import os
import subprocess
import sys

import pytest

from tests.support.server import ROOT, api, free_port, http, register_and_login
from tests.support.services import require
from tests.support.tools import require_tool

pytestmark = pytest.mark.server


@pytest.fixture
def stack(tmp_path):
    require_tool("nginx", "Debian package nginx; .ci/run installs it")
    require("mysql://127.0.0.1:3306", "MariaDB")
    require("redis://127.0.0.1:6379", "Redis")
    if not (ROOT / "frontend/dist/index.html").exists():
        pytest.skip("the web app is not built (make frontend)")
    ports = {name: str(free_port()) for name in ("INGRESS", "AUTH", "TASKS")}
    env = {
        **os.environ,
        "TMS_STACK_DIR": str(tmp_path / "stack"),
        "TMS_STACK_DATABASE": "tms_stack_test",
        **{f"TMS_STACK_{name}_PORT": port for name, port in ports.items()},
    }
    import MySQLdb

    connection = MySQLdb.connect(host="127.0.0.1", user="root", password="")
    connection.cursor().execute("DROP DATABASE IF EXISTS tms_stack_test")
    command = [sys.executable, "scripts/stack.py"]
    started = subprocess.run(
        [*command, "start"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert started.returncode == 0, started.stdout + started.stderr
    yield f"http://127.0.0.1:{ports['INGRESS']}", ports
    subprocess.run([*command, "stop"], cwd=ROOT, env=env, capture_output=True, timeout=60, check=False)
    connection.cursor().execute("DROP DATABASE IF EXISTS tms_stack_test")
    connection.close()


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
    status, headers, html = api("GET", f"{base}/board")
    assert status == 200 and b'<div id="root">' in html
    # each service serves only its own routes, even when asked directly
    assert api("GET", f"http://127.0.0.1:{ports['TASKS']}/api/auth/me/", token=tokens["access"])[0] == 404
    assert api("GET", f"http://127.0.0.1:{ports['AUTH']}/readyz")[0] == 200


def test_stack_stop_ends_every_process(tmp_path, stack):
    base, ports = stack
    env = {**os.environ, "TMS_STACK_DIR": str(tmp_path / "stack")}
    subprocess.run(
        [sys.executable, "scripts/stack.py", "stop"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    for port in ports.values():
        with pytest.raises(OSError):
            http("GET", f"http://127.0.0.1:{port}/healthz", timeout=2)
