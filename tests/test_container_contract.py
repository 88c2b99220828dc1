"""The backend image's contract, exercised without Docker (no engine here).

The image tree is rebuilt as the Dockerfile builds it — Debian's Python 3.11,
a virtualenv from requirements.txt, the code copied, static files collected,
then everything made read-only and owned by root — and gunicorn is started as
UID 1000 with only a scratch directory writable, as in the pod. It must serve,
answer /readyz 200 on a pod-IP Host, and write nothing into the image.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.server import ROOT, free_port, http
from tests.support.services import services_required
from tms_project.jwt_keys import generate_private_key_pem

pytestmark = pytest.mark.server

SYSTEM_PYTHON = Path("/usr/bin/python3")
UID = 1000


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if services_required():
        pytest.fail(f"{reason}, and TMS_REQUIRE_SERVICES=1 makes it required")
    pytest.skip(reason)


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-3000:]}"


def _snapshot(root: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in root.rglob("*")}


@pytest.fixture(scope="module")
def image(redis_url_module):
    _need(os.geteuid() == 0, "switching to UID 1000 needs root")
    _need(
        SYSTEM_PYTHON.exists() and shutil.which("setpriv") is not None, "needs Debian's python3 and setpriv"
    )
    root = Path(tempfile.mkdtemp(prefix="tms-image-", dir="/tmp"))
    root.chmod(0o755)
    app, venv = root / "app", root / "venv"
    app.mkdir()
    ignore = shutil.ignore_patterns("tests", "__pycache__", "*.pyc")
    for name in ("tms_project", "accounts", "tasks"):
        shutil.copytree(ROOT / name, app / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", app / "manage.py")
    _run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)])
    _run([str(venv / "bin" / "pip"), "install", "--quiet", "-r", str(ROOT / "requirements.txt")])
    build_env = {
        "PATH": os.environ["PATH"],
        "TMS_ENV": "production",
        "TMS_SECRET_KEY": "collectstatic-only",
        "TMS_ALLOWED_HOSTS": "localhost",
        "REDIS_URL": "redis://localhost:6379/0",
        "TMS_JWT_PRIVATE_KEY": generate_private_key_pem(),
        "TMS_STATIC_ROOT": str(app / "staticfiles"),
        "TMS_ALLOW_CONSOLE_EMAIL": "true",  # as in the Dockerfile: settings only load, nothing is sent
    }
    _run([str(venv / "bin" / "python"), "manage.py", "collectstatic", "--noinput"], cwd=app, env=build_env)
    _run([str(venv / "bin" / "python"), "-m", "compileall", "-q", str(app)])
    _run(["chmod", "-R", "a-w,a+rX", str(app), str(venv)])
    yield root
    subprocess.run(["chmod", "-R", "u+w", str(root)], check=False)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def redis_url_module():
    from tests.support.services import REDIS_URL, require

    return require(REDIS_URL, "Redis")


def test_runs_as_uid_1000_read_only_and_answers_readyz(image, redis_url_module):
    app, venv = image / "app", image / "venv"
    scratch = Path(tempfile.mkdtemp(prefix="tms-tmp-", dir="/tmp"))
    os.chown(scratch, UID, UID)
    key = scratch / "jwt-private.pem"
    key.write_text(generate_private_key_pem())
    os.chown(key, UID, UID)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": "/nonexistent",
        "TMPDIR": str(scratch),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMS_ENV": "production",
        "TMS_SERVICE": "auth",
        "TMS_SECRET_KEY": "contract-test-secret-key-that-is-long-enough-0123456789",
        "TMS_ALLOWED_HOSTS": "tms.example.com",
        "REDIS_URL": redis_url_module,
        "TMS_JWT_PRIVATE_KEY_FILE": str(key),
        "TMS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",  # as k8s/base/common/config.yaml
        "TMS_STATIC_ROOT": str(app / "staticfiles"),
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / "metrics"),
        "GUNICORN_WORKER_TMP_DIR": str(scratch),
        "GUNICORN_WORKERS": "2",
    }
    as_uid = ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", "--"]
    before = _snapshot(image)
    # the migration Job, as the same user
    _run([*as_uid, str(venv / "bin" / "python"), "manage.py", "migrate", "--noinput"], cwd=app, env=env)
    port = free_port()
    server = subprocess.Popen(
        [*as_uid, str(venv / "bin" / "gunicorn"), "-c", "tms_project/gunicorn_conf.py", "tms_project.wsgi"],
        cwd=app,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = http("GET", f"{url}/readyz", headers={"Host": f"10.42.3.7:{port}"})[0]
            except OSError:
                time.sleep(0.3)
        assert status == 200
        # every process of the server runs as UID 1000
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in [str(server.pid), *children]:
            assert Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0] == str(UID)
        # the application works: static files from the image, a real API call
        headers = {"Host": "tms.example.com", "X-Forwarded-Proto": "https"}
        assert http("GET", f"{url}/static/admin/css/base.css", headers=headers)[0] == 200
        body = b'{"username": "contract", "email": "c@example.com", "password": "a long passphrase here"}'
        status, _, _ = http(
            "POST",
            f"{url}/api/auth/register/",
            body=body,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert status == 201
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
        shutil.rmtree(scratch, ignore_errors=True)
    assert _snapshot(image) == before, "the process wrote into the image"
    assert "Permission denied" not in output and "Read-only" not in output, output[-3000:]


def test_the_image_tree_is_read_only_for_the_service_user(image):
    probe = subprocess.run(
        [
            "setpriv",
            f"--reuid={UID}",
            f"--regid={UID}",
            "--clear-groups",
            "--",
            "touch",
            str(image / "app" / "tms_project" / "written"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode != 0
    assert not (image / "app" / "tms_project" / "written").exists()
