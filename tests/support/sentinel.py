"""Redis with Sentinel on 127.0.0.1: a master, two replicas and three Sentinels, for the failover test.

Debian's `redis-server` and `redis-sentinel` (Valkey's `valkey-server`/`valkey-sentinel` when
those are installed instead): each process has its own free port and folder under one temporary
folder. The Sentinels call the master down after DOWN_AFTER_MS without an answer and agree on a
new one (quorum 2 of 3), as the production component does (k8s/components/valkey-sentinel) with
longer times. ``SentinelCluster.close()`` stops every process by its PID and removes the folder.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import redis

from scripts import galera
from tests.support.server import free_port

SERVICE = "tms"
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
_CANDIDATES = (("valkey-server", "valkey-sentinel"), ("redis-server", "redis-sentinel"))


def programs() -> tuple[str, str] | None:
    """The server and sentinel programs of one flavour, or None when neither pair is installed."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/usr/sbin"])
    for server, sentinel in _CANDIDATES:
        found = shutil.which(server, path=search), shutil.which(sentinel, path=search)
        if all(found):
            return found[0], found[1]  # type: ignore[return-value]
    return None


def stop_all(processes: Iterable[subprocess.Popen], root: Path) -> None:
    """Stop every process started (SIGTERM, then SIGKILL after 5 s) and remove their folder."""
    galera.stop_all(processes)
    shutil.rmtree(root, ignore_errors=True)


class SentinelCluster:
    def __init__(self, replicas: int = 2, sentinels: int = 3) -> None:
        found = programs()
        if found is None:
            raise RuntimeError("redis-server and redis-sentinel (Debian's redis-sentinel) are needed")
        self.server_program, self.sentinel_program = found
        self.root = Path(tempfile.mkdtemp(prefix="tms-sentinel-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.ports: dict[str, int] = {}
        try:
            self._start("master", self.server_program, self._server_conf(None))
            for number in range(1, replicas + 1):
                self._start(f"replica{number}", self.server_program, self._server_conf(self.ports["master"]))
            for number in range(1, sentinels + 1):
                self._start(f"sentinel{number}", self.sentinel_program, self._sentinel_conf(), sentinel=True)
            self._wait_ready(replicas, sentinels)
        except BaseException:
            self.close()
            raise

    # --- configuration ---------------------------------------------------------------------
    def _server_conf(self, master_port: int | None) -> str:
        lines = ["save ''", "appendonly no"]
        if master_port is not None:
            lines.append(f"replicaof 127.0.0.1 {master_port}")
        return "\n".join(lines)

    def _sentinel_conf(self) -> str:
        return "\n".join(
            [
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.ports['master']} 2",
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}",
                f"sentinel failover-timeout {SERVICE} {FAILOVER_TIMEOUT_MS}",
                f"sentinel parallel-syncs {SERVICE} 2",
            ]
        )

    def _start(self, name: str, program: str, extra: str, sentinel: bool = False) -> None:
        folder = self.root / name
        folder.mkdir()
        port = free_port()
        conf = folder / ("sentinel.conf" if sentinel else "redis.conf")
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {folder}\nlogfile {folder / 'log'}\n"
            f"pidfile {folder / 'pid'}\ndaemonize no\nprotected-mode no\n{extra}\n"
        )
        self.ports[name] = port
        # Sentinel rewrites its config file, so each has its own.
        self.processes[name] = subprocess.Popen(
            [program, str(conf)], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )

    def _wait_ready(self, replicas: int, sentinels: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                info = self.client("master").info("replication")
                states = [
                    self.client(f"sentinel{n}").sentinel_master(SERVICE) for n in range(1, sentinels + 1)
                ]
                if info.get("connected_slaves") == replicas and all(
                    int(state["num-slaves"]) == replicas
                    and int(state["num-other-sentinels"]) == sentinels - 1
                    for state in states
                ):
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the Sentinel cluster was not ready within {timeout} s; logs in {self.root}")

    # --- use ---------------------------------------------------------------------------------
    def client(self, name: str) -> redis.Redis:
        return redis.Redis(port=self.ports[name], socket_timeout=1, socket_connect_timeout=1)

    @property
    def sentinel_addresses(self) -> list[str]:
        return [f"127.0.0.1:{port}" for name, port in self.ports.items() if name.startswith("sentinel")]

    def master_port(self) -> int | None:
        """The master's port as the first Sentinel that answers names it."""
        for name in self.ports:
            if name.startswith("sentinel"):
                with contextlib.suppress(redis.RedisError):
                    return int(self.client(name).sentinel_get_master_addr_by_name(SERVICE)[1])
        return None

    def name_of(self, port: int | None) -> str | None:
        return next((name for name, known in self.ports.items() if known == port), None)

    def kill(self, name: str) -> None:
        """SIGKILL: the server is gone at once, with whatever it had not sent to its replicas."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=5)

    def close(self) -> None:
        stop_all(self.processes.values(), self.root)
