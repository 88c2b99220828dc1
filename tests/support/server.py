"""Run TMS under real gunicorn for tests that need processes, workers or a broken dependency."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tms_project.jwt_keys import public_key_pem_of

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_KEY_VARIABLES = (
    "TMS_JWT_PRIVATE_KEY",
    "TMS_JWT_PRIVATE_KEY_FILE",
    "TMS_JWT_PUBLIC_KEY",
    "TMS_JWT_PUBLIC_KEY_FILE",
)


def base_env(**overrides: str) -> dict[str, str]:
    """The parent environment without anything that would point the child at the test database.

    Unless the caller gives keys, the child gets the test run's key pair: the
    private key, or for the tasks role only the public key.
    """
    test_private_key = os.environ.get("TMS_JWT_PRIVATE_KEY")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMS_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(overrides)
    if test_private_key and not any(name in overrides for name in _KEY_VARIABLES):
        if env.get("TMS_SERVICE") == "tasks":
            env["TMS_JWT_PUBLIC_KEY"] = public_key_pem_of(test_private_key)
        else:
            env["TMS_JWT_PRIVATE_KEY"] = test_private_key
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class GunicornServer:
    def __init__(
        self, env: dict[str, str], workers: int = 1, log_path: Path | None = None, port: int | None = None
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers)}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "GunicornServer":
        log = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "tms_project/gunicorn_conf.py", "tms_project.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; log: {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 30 seconds")

    def warm_up(self, timeout: float = 20) -> None:
        """Return once every worker has answered a request (workers boot one after another)."""
        import json
        from concurrent.futures import ThreadPoolExecutor

        assert self.log_path, "warm_up reads the request log"
        workers = int(self.env["GUNICORN_WORKERS"])
        deadline = time.monotonic() + timeout
        with ThreadPoolExecutor(max_workers=8) as pool:
            while time.monotonic() < deadline:
                list(pool.map(lambda _: http("GET", f"{self.url}/api/warm-up/"), range(16)))
                pids = set()
                for line in self.log_path.read_text().splitlines():
                    if line.startswith("{") and '"/api/warm-up/"' in line:
                        pids.add(json.loads(line)["pid"])
                if len(pids) >= workers:
                    return
        raise RuntimeError(f"only some of {workers} workers answered within {timeout}s")

    def __exit__(self, *exc_info: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(condition, timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def http(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; returns (status, headers, body) for every status, errors included."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api(
    method: str, url: str, body: dict | None = None, *, token: str | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], Any]:
    """A JSON API call: (status, headers, decoded body — or the raw bytes when it is not JSON)."""
    import json

    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    payload = json.dumps(body).encode() if body is not None else None
    status, response_headers, raw = http(method, url, body=payload, headers=all_headers)
    decoded = json.loads(raw) if raw[:1] in (b"{", b"[") else raw
    return status, response_headers, decoded


def register_and_login(base: str, username: str, password: str) -> dict:
    """Create an account through the auth API and sign in; returns the login body (access, refresh, user)."""
    email = f"{username}@example.com"
    status, _, body = api(
        "POST", f"{base}/api/auth/register/", {"username": username, "email": email, "password": password}
    )
    assert status == 201, body
    status, _, tokens = api("POST", f"{base}/api/auth/login/", {"username": username, "password": password})
    assert status == 200, tokens
    return tokens
