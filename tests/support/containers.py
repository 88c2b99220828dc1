"""Run TMS's built images on this machine the way their pods run them, without a container engine.

A throwaway buildah container gives the image's root filesystem; tests/support/container_init.py
enters it in a mount namespace of its own (read-only root, tmpfs /tmp, read-only Secrets), as
uid 1000, and becomes the image's own ENTRYPOINT + CMD (or a pod's `command`, which replaces
both). The network is the machine's: a container reaches the local MariaDB and Redis, and the
tests reach the container on the port it binds.
"""

import json
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.support.services import unavailable
from tests.support.tools import ROOT

INIT = Path(__file__).with_name("container_init.py")
RECORD = ROOT / "build" / "images.json"


def built_image(name: str) -> str:
    """The reference of the image `make images` built for `name`; skips (fails in CI) without one."""
    if shutil.which("buildah") is None:
        unavailable(
            "buildah is not installed (Debian: apt-get install buildah mmdebstrap), so no image is built"
        )
    if not RECORD.exists():
        unavailable(f"no images are built ({RECORD.relative_to(ROOT)} is missing: make images)")
    entry = json.loads(RECORD.read_text()).get(name)
    if (
        entry is None
        or subprocess.run(
            ["buildah", "inspect", "--type", "image", entry["image"]], capture_output=True, check=False
        ).returncode
    ):
        unavailable(f"{name} is not built (make images)")
    return str(entry["image"])


def image_config(image: str) -> dict:
    """The image's OCI configuration: Entrypoint, Cmd, Env, WorkingDir, User."""
    result = subprocess.run(
        ["buildah", "inspect", "--type", "image", image], capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout)["OCIv1"]["config"])


@dataclass
class Container:
    """One run of an image: `start()`, talk to it, `stop()`; or `run()` for a command that ends."""

    image: str
    env: dict[str, str] = field(default_factory=dict)
    command: list[str] | None = None  # a pod's `command`: replaces ENTRYPOINT and CMD
    binds: dict[str, str] = field(default_factory=dict)  # container path -> host path, read-only
    user: str = "1000:1000"
    log: Path | None = None
    process: subprocess.Popen | None = None
    _container: str = ""
    _log_file: IO[str] | None = None

    def argv(self, config: dict) -> list[str]:
        if self.command:
            return self.command
        return [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]

    def start(self) -> "Container":
        config = image_config(self.image)
        environment = dict(item.split("=", 1) for item in config.get("Env") or [])
        environment.update(self.env)
        self._container = subprocess.run(
            ["buildah", "from", "--quiet", "--pull-never", self.image],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        root = subprocess.run(
            ["buildah", "mount", self._container], capture_output=True, text=True, check=True
        ).stdout.strip()
        binds = [arg for target, source in self.binds.items() for arg in ("--bind", f"{source}:{target}")]
        self._log_file = open(self.log, "a") if self.log else None  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                "unshare",
                "--mount",
                "--propagation",
                "private",
                sys.executable,
                str(INIT),
                root,
                config.get("WorkingDir") or "/",
                self.user,
                *binds,
                "--",
                *self.argv(config),
            ],
            env=environment,
            stdout=self._log_file or subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return self

    def run(self, timeout: float = 300) -> tuple[int, str]:
        """Start, wait for the end; (exit status, output)."""
        self.log = None
        self.start()
        assert self.process is not None
        try:
            output, _ = self.process.communicate(timeout=timeout)
        finally:
            self.stop()
        return self.process.returncode, output or ""

    def exec(self, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        """Like `kubectl exec` or a preStop `exec` hook: `argv` in the running container, as its user."""
        assert self.process is not None and self.running()
        uid, gid = self.user.split(":")
        return subprocess.Popen(
            [
                "nsenter",
                f"--target={self.process.pid}",
                "--mount",
                "--root",
                "--wd",
                f"--setuid={uid}",
                f"--setgid={gid}",
                "--",
                *argv,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 40) -> int | None:
        """Send `signum` (the kubelet's SIGTERM), wait for the exit, remove the throwaway container."""
        status = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signum)
                deadline = time.monotonic() + timeout
                while self.process.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.1)
                if self.process.poll() is None:
                    self.process.kill()
            status = self.process.wait()
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        if self._container:
            subprocess.run(["buildah", "umount", self._container], capture_output=True, check=False)
            subprocess.run(["buildah", "rm", self._container], capture_output=True, check=False)
            self._container = ""
        return status
