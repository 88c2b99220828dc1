"""A real 3-node MariaDB Galera cluster with HAProxy in front, on 127.0.0.1, for `make failover-test`.

Each node is a `mariadbd` of its own (Debian's `mariadb-server` and `galera-4`): its own SQL,
group-communication, IST and SST ports, data folder and my.cnf under one temporary folder. The
first node starts a new cluster; the others join it by a state transfer (rsync). HAProxy (TCP)
sends every connection to one node, the writer: its external check (WRITER_SH) calls a node up
only when it is Synced and the writer, and the writer changes only when it fails, never back when
an earlier writer returns (HAProxy's stick tables do not do that: the entry keeps the failed server
and connections go back to it once it is up). A node marked down has its sessions shut at once
(on-marked-down shutdown-sessions), so no connection goes on writing to it.

Why one writer: with writes on several Galera nodes, `SELECT ... FOR UPDATE` does not lock across
nodes, and two `SKIP LOCKED` claimers on two nodes take the same row (../docs/reliability.md).

Everything started is stopped by its PID and the folder removed by `GaleraCluster.close()`.
"""
# ruff: noqa: S603, S607 - this harness starts the machine's own database and proxy programs

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import MySQLdb

PROVIDER = Path("/usr/lib/galera/libgalera_smm.so")
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# Debian package of each program the cluster needs.
PACKAGES = {"mariadbd": "mariadb-server", "mariadb-install-db": "mariadb-server", "haproxy": "haproxy"}

# What every mariadbd these harnesses start has: its own folder, port and a small footprint
# (scripts/replication.py adds its own lines after these, as MY_CNF below does).
SERVER_CNF = """[mariadbd]
{user}datadir={dir}/data
tmpdir={dir}/tmp
socket={dir}/mysqld.sock
pid-file={dir}/mysqld.pid
log-error={dir}/error.log
port={sql}
bind-address=127.0.0.1
skip-name-resolve
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
performance_schema=OFF
character_set_server=utf8mb4
collation_server=utf8mb4_unicode_ci
binlog_format=ROW
"""

MY_CNF = (
    SERVER_CNF
    + """default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider={provider}
wsrep_cluster_name={name}
wsrep_cluster_address=gcomm://{members}
wsrep_node_name=node{number}
wsrep_node_address=127.0.0.1:{gcomm}
wsrep_node_incoming_address=127.0.0.1:{sql}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:{gcomm};ist.recv_addr=127.0.0.1:{ist};gcache.size=32M"
wsrep_sst_receive_address=127.0.0.1:{sst}
wsrep_sst_method=rsync
"""
)

HAPROXY_CFG = """global
    maxconn 2000
    pidfile {dir}/haproxy.pid
    stats socket {dir}/haproxy.sock mode 600 level admin
    external-check
    insecure-fork-wanted

defaults
    mode tcp
    timeout connect 2s
    timeout client 10m
    timeout server 10m
    timeout check 2s
    retries 3
    option redispatch 1

listen mariadb
    bind 127.0.0.1:{port}
    balance first
    # One writer: the check says only the writer is up (writer.sh).
    option external-check
    external-check path "/usr/bin:/bin"
    external-check command {dir}/writer.sh
    default-server inter 1s fastinter 250ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
{servers}
"""

# The external check, with HAProxy's arguments: the proxy's address and port, then the node's. A node
# is healthy when it is Synced (wsrep_local_state 4: not joining, not a donor, in the primary
# component) and it is the writer. The writer, kept in a file, stays the writer while it is Synced;
# when it is not, the first Synced node whose check runs takes its place (flock: one at a time).
# So every other node is "down" for HAProxy, and a node that comes back never takes the writes back
# while sessions of the new writer may still be open.
WRITER_SH = """#!/bin/sh
synced() {{
  state=$(mariadb --no-defaults --host=127.0.0.1 --port="$1" --user=root --connect-timeout=1 --batch \\
    --skip-column-names --execute="SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
      WHERE VARIABLE_NAME='wsrep_local_state'" 2>/dev/null)
  [ "$state" = 4 ]
}}
synced "$4" || exit 1
exec 9>>{dir}/writer.lock
flock 9
writer=$(cat {dir}/writer 2>/dev/null)
[ "$writer" = "$4" ] && exit 0
if [ -n "$writer" ] && synced "$writer"; then exit 1; fi
echo "$4" > {dir}/writer
"""


def program(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


def missing() -> list[str]:
    """The Debian packages the cluster needs that are not installed here."""
    packages = [PACKAGES[name] for name in PACKAGES if program(name) is None]
    if not PROVIDER.exists():
        packages.append("galera-4")
    if program("rsync") is None:
        packages.append("rsync")
    return sorted(set(packages))


def free_ports(count: int) -> list[int]:
    """Ports free now on 127.0.0.1 (held open together, so no two are the same)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket()
            probe.bind(("127.0.0.1", 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def stop_all(processes: Iterable[subprocess.Popen | None], timeout: float = 5) -> None:
    """Stop what a harness started, by PID: SIGTERM to every process still running, then wait for
    each, SIGKILL after ``timeout`` (scripts/replication.py and tests/support/sentinel.py too)."""
    started = [process for process in processes if process is not None]
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """One ``mariadbd`` of a harness: its folder (my.cnf, data, logs) and its SQL port on 127.0.0.1."""

    def __init__(self, number: int, directory: Path, sql: int) -> None:
        self.number = number
        self.name = f"node{number}"
        self.dir = directory
        self.sql = sql
        self.process: subprocess.Popen | None = None

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.sql}/{database}"

    def connect(self, database: str | None = None, timeout: int = 2) -> MySQLdb.Connection:
        kwargs = {"db": database} if database else {}
        return MySQLdb.connect(
            host="127.0.0.1",
            port=self.sql,
            user="root",
            connect_timeout=timeout,
            read_timeout=10,
            autocommit=True,
            **kwargs,
        )

    def query(self, sql: str, *args: object, database: str | None = None) -> list[tuple]:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def status(self, *names: str) -> dict[str, str]:
        """SHOW GLOBAL STATUS of these variables; empty when the node does not answer."""
        try:
            rows = self.query("SHOW GLOBAL STATUS WHERE Variable_name IN %s", tuple(names))
        except MySQLdb.Error:
            return {}
        return {name.lower(): value for name, value in rows}

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def error_log(self, characters: int = 3000) -> str:
        path = self.dir / "error.log"
        return path.read_text(errors="replace")[-characters:] if path.exists() else "(no error log)"

    def launch(self, *options: str) -> None:
        """Start ``mariadbd`` with this server's my.cnf (and ``options``); the caller waits for it."""
        with open(self.dir / "console.log", "a") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [str(program("mariadbd")), f"--defaults-file={self.dir / 'my.cnf'}", *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )


class Node(Server):
    """A Galera member: the SQL port and its group-communication, IST and SST ports."""

    def __init__(self, number: int, directory: Path, ports: list[int]) -> None:
        super().__init__(number, directory, ports[0])
        self.gcomm, self.ist, self.sst = ports[1:]


def install(root: Path, servers: "list[Server]") -> None:
    """``mariadb-install-db`` for every server (their my.cnf written), all at once; as root the
    folders under ``root`` are the mysql user's first, since the servers run as mysql."""
    as_root = os.geteuid() == 0
    if as_root:
        subprocess.run(["chown", "-R", "mysql:mysql", str(root)], check=True)
    installs = [
        subprocess.Popen(
            [
                str(program("mariadb-install-db")),
                f"--defaults-file={server.dir / 'my.cnf'}",
                *(["--user=mysql"] if as_root else []),
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for server in servers
    ]
    for server, process in zip(servers, installs, strict=True):
        output, _ = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"mariadb-install-db for {server.name} failed:\n{output}")


def wait(condition: Callable[[], bool], timeout: float, server: Server | None = None) -> None:
    """Poll ``condition``; fail with the server's error log when it exits or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if server is not None and server.process is not None and server.process.poll() is not None:
            code = server.process.returncode
            raise RuntimeError(f"{server.name} exited with {code}:\n{server.error_log()}")
        time.sleep(0.1)
    detail = f"\n{server.name}'s error log:\n{server.error_log()}" if server else ""
    raise RuntimeError(f"gave up waiting after {timeout:.0f} s{detail}")


class GaleraCluster:
    """Three Galera nodes and HAProxy under one temporary folder; ``close()`` stops and removes all."""

    def __init__(self, size: int = 3, name: str = "tms_failover") -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tms-galera-"))  # short: socket paths stay < 108 bytes
        self.name = name
        ports = free_ports(4 * size + 1)
        self.proxy_port = ports.pop()
        self.nodes = [Node(n + 1, self.root / f"node{n + 1}", ports[4 * n : 4 * n + 4]) for n in range(size)]
        self.haproxy: subprocess.Popen | None = None
        self.as_root = os.geteuid() == 0

    # --- nodes -------------------------------------------------------------
    def install(self) -> None:
        members = ",".join(f"127.0.0.1:{node.gcomm}" for node in self.nodes)
        for node in self.nodes:
            (node.dir / "tmp").mkdir(parents=True)
            (node.dir / "my.cnf").write_text(
                MY_CNF.format(
                    user="user=mysql\n" if self.as_root else "",
                    dir=node.dir,
                    sql=node.sql,
                    gcomm=node.gcomm,
                    ist=node.ist,
                    sst=node.sst,
                    provider=PROVIDER,
                    name=self.name,
                    members=members,
                    number=node.number,
                )
            )
        install(self.root, list(self.nodes))

    def start(
        self, node: Node, new_cluster: bool = False, timeout: float = 90, donor: Node | None = None
    ) -> float:
        """Start ``node`` (the first with a new cluster; a joiner with its state from ``donor``, else
        from whichever node Galera picks) and wait until it is Synced; the seconds it took."""
        started = time.monotonic()
        node.launch(
            *(["--wsrep-new-cluster"] if new_cluster else []),
            *([f"--wsrep-sst-donor={donor.name}"] if donor else []),
        )
        self.wait(lambda: node.status("wsrep_local_state").get("wsrep_local_state") == "4", timeout, node)
        return time.monotonic() - started

    def restart(self, node: Node, donor: Node | None = None) -> float:
        """Start a stopped or killed node again; it rejoins (a killed one by a full state transfer)."""
        return self.start(node, donor=donor)

    def kill(self, node: Node) -> None:
        """SIGKILL: the server dies mid-transaction, as when its machine is lost."""
        if node.process is not None and node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait()

    def cluster_size(self, node: Node) -> int:
        return int(node.status("wsrep_cluster_size").get("wsrep_cluster_size", 0))

    def wait(self, condition: Callable[[], bool], timeout: float, node: Node | None = None) -> None:
        wait(condition, timeout, node)

    # --- HAProxy -----------------------------------------------------------
    def start_proxy(self, writer: Node) -> None:
        """Start HAProxy with ``writer`` as the writer (start it once the nodes have joined: a
        state transfer makes its donor not Synced for a while, and a donor is no writer)."""
        (self.root / "writer").write_text(f"{writer.sql}\n")
        (self.root / "writer.sh").write_text(WRITER_SH.format(dir=self.root))
        (self.root / "writer.sh").chmod(0o755)
        servers = "\n".join(f"    server {node.name} 127.0.0.1:{node.sql} check" for node in self.nodes)
        (self.root / "haproxy.cfg").write_text(
            HAPROXY_CFG.format(dir=self.root, port=self.proxy_port, servers=servers)
        )
        with open(self.root / "haproxy.log", "a") as log:
            self.haproxy = subprocess.Popen(
                [str(program("haproxy")), "-db", "-f", str(self.root / "haproxy.cfg")],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait(lambda: self.proxy_states().get(writer.name) == "UP", 30)

    def proxy_url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.proxy_port}/{database}"

    def proxy_command(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as admin:
            admin.settimeout(2)
            admin.connect(str(self.root / "haproxy.sock"))
            admin.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := admin.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def proxy_states(self) -> dict[str, str]:
        """Each node's state as HAProxy sees it (UP, DOWN, ...)."""
        try:
            lines = self.proxy_command("show stat").splitlines()
        except OSError:
            return {}
        header = lines[0].lstrip("# ").split(",") if lines else []
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "mariadb" and row.get("svname", "").startswith("node"):
                states[row["svname"]] = row.get("status", "")
        return states

    # --- cleanup -----------------------------------------------------------
    def close(self) -> None:
        """Stop HAProxy and every node by PID (SIGTERM, then SIGKILL), and remove the folder."""
        stop_all([self.haproxy, *(node.process for node in self.nodes)], timeout=20)
        # An rsync daemon a state transfer started, should one outlive its server.
        for pid_file in self.root.glob("node*/data/rsync_sst.pid"):
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)
