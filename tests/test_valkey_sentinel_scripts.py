"""The production counters' own scripts keep the counts when a master restarts or is stopped.

k8s/components/valkey-sentinel runs three members, each a Valkey and a Sentinel, started and
stopped by the shell scripts in its ConfigMap (scripts.yaml). This test runs those scripts, as
they are, on 127.0.0.1: three members with a port each for Valkey and Sentinel (the scripts take
their names from TMS_VALKEY_MEMBERS and TMS_VALKEY_ME), Debian's redis-server, redis-sentinel and
redis-cli under the names the scripts call (valkey-server, valkey-cli), the Sentinels' production
timings (down-after 5 s).

- A master's Valkey dies (SIGKILL, as an OOM kill) and its container starts again at once
  (start.sh): the count survives, the restarted member is a replica and another one is master. A
  Valkey that just ran valkey-server again would be an empty master, and the replicas would copy it.
- A stopping master's preStop (hand-over.sh) runs while its own Sentinel is stopped: a replica is
  promoted by the other Sentinels, the old master turns into its replica, and the count survives.
  The Sentinel's preStop (sentinel-stop.sh) returns once its Valkey is no longer the master.

About 25 s. Skipped, with the reason, where redis-server or redis-sentinel is missing (Debian's
redis-sentinel; a failure under TMS_REQUIRE_SERVICES=1).
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis
import yaml

from tests.support import sentinel
from tests.support.server import free_port, wait_for
from tests.support.services import unavailable
from tms_project.cache import SentinelRedisCache

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "k8s/components/valkey-sentinel/scripts.yaml"
SERVICE = "tms"


class Members:
    """Three members on 127.0.0.1, each started as its pod starts it; every process is stopped
    by its PID and the folder removed by close()."""

    def __init__(self) -> None:
        found = sentinel.programs()
        client = shutil.which("valkey-cli") or shutil.which("redis-cli")
        if found is None or client is None:
            unavailable(
                "redis-server, redis-sentinel and redis-cli are not installed (Debian's redis-sentinel)"
            )
        self.server_program, self.sentinel_program = found
        self.root = Path(tempfile.mkdtemp(prefix="tms-valkey-scripts-"))
        self.processes: list[subprocess.Popen] = []
        self.servers: dict[int, subprocess.Popen] = {}
        self.sentinels: dict[int, subprocess.Popen] = {}
        bin_dir = self.root / "bin"
        bin_dir.mkdir()
        # redis-server runs as a server under any name; redis-sentinel must keep its own name.
        (bin_dir / "valkey-server").symlink_to(self.server_program)
        (bin_dir / "valkey-cli").symlink_to(client)
        self.scripts = self.root / "scripts"
        self.scripts.mkdir()
        for name, text in yaml.safe_load(SCRIPTS.read_text())["data"].items():
            (self.scripts / name).write_text(text)
        self.names = [f"127.0.0.1:{free_port()}:{free_port()}" for _ in range(3)]
        self.path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"
        for number in range(3):
            for folder in ("conf", "data"):
                (self.folder(number) / folder).mkdir(parents=True)

    def folder(self, number: int) -> Path:
        return self.root / f"member{number}"

    def env(self, number: int) -> dict[str, str]:
        return {
            "PATH": self.path,
            "TMS_VALKEY_MEMBERS": " ".join(self.names),
            "TMS_VALKEY_ME": self.names[number],
            "TMS_VALKEY_CONF_DIR": str(self.folder(number) / "conf"),
            "TMS_VALKEY_DATA_DIR": str(self.folder(number) / "data"),
            "TMS_VALKEY_BIND": "127.0.0.1",
        }

    def port(self, number: int) -> int:
        return int(self.names[number].split(":")[1])

    def sentinel_port(self, number: int) -> int:
        return int(self.names[number].split(":")[2])

    def _spawn(self, number: int, command: list[str], log: str) -> subprocess.Popen:
        with open(self.folder(number) / log, "ab") as out:
            process = subprocess.Popen(
                command, env=self.env(number), cwd=self.folder(number), stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def start(self, number: int) -> None:
        """The Valkey container's command (start.sh: configure.sh, then valkey-server)."""
        self.servers[number] = self._spawn(number, ["sh", str(self.scripts / "start.sh")], "valkey.log")

    def start_sentinel(self, number: int) -> None:
        conf = self.folder(number) / "conf" / "sentinel.conf"
        assert wait_for(lambda: conf.exists() and conf.stat().st_size > 0, timeout=10)
        self.sentinels[number] = self._spawn(number, [self.sentinel_program, str(conf)], "sentinel.log")

    def script(self, number: int, name: str) -> subprocess.Popen:
        return self._spawn(number, ["sh", str(self.scripts / name)], f"{name}.log")

    def valkey(self, number: int) -> redis.Redis:
        return redis.Redis(port=self.port(number), socket_timeout=1, socket_connect_timeout=1)

    def sentinel(self, number: int) -> redis.Redis:
        return redis.Redis(port=self.sentinel_port(number), socket_timeout=1, socket_connect_timeout=1)

    def role(self, number: int) -> str | None:
        with contextlib.suppress(redis.RedisError):
            return self.valkey(number).info("replication")["role"]
        return None

    def named_master(self, by: int) -> int | None:
        """The member the Sentinel of member ``by`` names as master."""
        with contextlib.suppress(redis.RedisError, TypeError):
            _, port = self.sentinel(by).sentinel_get_master_addr_by_name(SERVICE)
            return next(n for n in range(3) if self.port(n) == int(port))
        return None

    def ready(self, live: list[int], master: int) -> bool:
        """Every live member's Sentinel names ``master``, which has the others as replicas."""
        with contextlib.suppress(redis.RedisError):
            if self.valkey(master).info("replication").get("connected_slaves") != len(live) - 1:
                return False
            for number in live:
                state = self.sentinel(number).sentinel_master(SERVICE)
                if self.named_master(number) != master or int(state["num-slaves"]) < len(live) - 1:
                    return False
                if int(state["num-other-sentinels"]) < len(live) - 1:
                    return False
            return True
        return False

    def probe_ready(self, number: int) -> bool:
        """The Valkey container's readiness probe (ready.sh)."""
        probe = subprocess.run(
            ["sh", str(self.scripts / "ready.sh")], env=self.env(number), capture_output=True, timeout=10
        )
        return probe.returncode == 0

    def ready_replicas(self) -> bool:
        with contextlib.suppress(redis.RedisError):
            return self.valkey(0).info("replication").get("connected_slaves") == 2
        return False

    def start_all(self) -> None:
        """The first start of all, every member at once, the harder case: the StatefulSet starts
        them one by one (OrderedReady), where the first finds no Sentinel either. Member 0 is the
        master."""
        for number in range(3):
            self.start(number)
        # Sentinel learns the replicas from the master's INFO, every 10 s once it runs.
        assert wait_for(lambda: self.ready_replicas(), timeout=10), self.logs()
        # the replicas' first copies come after 5 s (repl-diskless-sync-delay): not ready before
        assert [self.probe_ready(number) for number in range(3)] == [True, False, False]
        for number in range(3):
            self.start_sentinel(number)
        assert wait_for(lambda: self.ready([0, 1, 2], 0), timeout=15), self.logs()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.relative_to(self.root)}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.root.glob("member*/*.log"))
        )

    def close(self) -> None:
        sentinel.stop_all(self.processes, self.root)


@pytest.fixture
def members():
    started = time.monotonic()
    cluster = Members()
    try:
        cluster.start_all()
        yield cluster
    finally:
        cluster.close()
        print(f"valkey-sentinel scripts: {time.monotonic() - started:.1f} s")
    assert not cluster.root.exists()


def test_a_master_whose_valkey_restarts_comes_back_as_a_replica_and_the_counts_survive(members):
    # given: a count on the master, copied to both replicas
    master = members.valkey(0)
    master.set("count", 42)
    assert master.execute_command("WAIT", 2, 2000) == 2
    # when: the master's Valkey dies and its container starts again at once (the Sentinels
    # have not noticed: they call a master down after 5 s)
    members.servers[0].send_signal(signal.SIGKILL)
    members.servers[0].wait(timeout=5)
    killed_at = time.monotonic()
    members.start(0)
    # then: another member is the master, with the count; the restarted one replicates from it
    assert wait_for(lambda: members.role(0) == "slave", timeout=20), members.logs()
    back_after = time.monotonic() - killed_at
    new_master = members.named_master(1)
    assert new_master in (1, 2), members.logs()
    assert all(members.named_master(n) == new_master for n in range(3))
    assert members.valkey(new_master).get("count") == b"42"
    assert wait_for(lambda: members.valkey(0).get("count") == b"42", timeout=10), members.logs()
    other = 3 - new_master
    assert wait_for(lambda: members.valkey(other).get("count") == b"42", timeout=10), members.logs()
    assert members.valkey(new_master).info("replication")["role"] == "master"
    assert [members.probe_ready(number) for number in range(3)] == [True, True, True]
    print(f"restarted master back as a replica after {back_after:.2f} s, member {new_master} promoted")


class Counting:
    """Increments through the backend's Sentinel cache (tms_project.cache), without pause, each
    acknowledged one counted."""

    def __init__(self, members: Members) -> None:
        self.cache = SentinelRedisCache(
            [f"127.0.0.1:{members.sentinel_port(n)}" for n in range(3)],
            {"OPTIONS": {"service_name": SERVICE, "socket_connect_timeout": 1, "socket_timeout": 2}},
        )
        self.cache.set("count", 0)
        self.acknowledged = 0
        self.slowest = 0.0  # seconds, the longest an increment took (waiting out the pause)
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                self.cache.incr("count")
                self.acknowledged += 1
            except Exception as error:  # noqa: BLE001 - any failure is what this counts
                self.errors.append(repr(error))
            self.slowest = max(self.slowest, time.monotonic() - began)
            time.sleep(0.005)

    def finish(self) -> int:
        self.stop.set()
        self.thread.join(timeout=10)
        return self.cache.get("count")


def test_a_stopping_master_hands_over_through_another_members_sentinel(members):
    # given: a count on the master, copied to both replicas, and counting going on
    master = members.valkey(0)
    master.set("count", 7)
    assert master.execute_command("WAIT", 2, 2000) == 2
    counting = Counting(members)
    time.sleep(0.5)
    # a replica's Sentinel stops at once
    replica_stop = members.script(1, "sentinel-stop.sh")
    assert replica_stop.wait(timeout=5) == 0
    # when: the master's pod stops: both preStop hooks start, and its own Sentinel goes at once
    # (the worst case: no preStop keeps it)
    started = time.monotonic()
    hand_over = members.script(0, "hand-over.sh")
    sentinel_stop = members.script(0, "sentinel-stop.sh")
    members.sentinels[0].terminate()
    left_early = False  # the Sentinel's preStop returned while its Valkey was still the master
    while hand_over.poll() is None and time.monotonic() - started < 25:
        if sentinel_stop.poll() is not None and members.role(0) == "master":
            left_early = True
        time.sleep(0.05)
    assert hand_over.wait(timeout=1) == 0, members.logs()
    handed_over = time.monotonic() - started
    assert sentinel_stop.wait(timeout=5) == 0
    sentinel_stayed = time.monotonic() - started
    assert not left_early
    # then: another member is the master, with the count, and the old master is already its replica
    new_master = members.named_master(1)
    assert new_master in (1, 2), members.logs()
    assert members.named_master(2) == new_master
    assert members.role(0) == "slave"
    assert members.valkey(new_master).get("count") == b"7"
    # and the Valkey container stops after its hook: every acknowledged increment is on the new master
    time.sleep(0.5)
    members.servers[0].terminate()
    members.servers[0].wait(timeout=5)
    assert not members.probe_ready(0)
    time.sleep(0.5)
    counted = counting.finish()
    errors = counting.errors
    assert members.valkey(new_master).get("count") == b"7"
    # an increment that failed may still have been made (a timeout), never one acknowledged lost
    assert counting.acknowledged > 0
    assert counted is not None, members.logs()
    assert counting.acknowledged <= counted <= counting.acknowledged + len(errors), (counted, errors)
    print(
        f"hand-over done after {handed_over:.2f} s, the Sentinel's preStop after {sentinel_stayed:.2f} s; "
        f"{counting.acknowledged} increments acknowledged, {counted} on the new master, errors {errors}, "
        f"slowest increment {counting.slowest:.2f} s"
    )
