"""A real MariaDB primary and asynchronous replica on 127.0.0.1, for the read-replica tests and bench.

Two ``mariadbd`` (Debian's ``mariadb-server``) under one temporary folder, started with the
helpers of scripts/galera.py: the primary (server_id 1) writes a row-based binary log, the
replica (server_id 2) follows it by GTID (``MASTER_USE_GTID=slave_pos``) and is ``read_only``.
Both are installed and started at the same time (about 3 s each).

TMS reaches the replica as ``READER`` (SELECT on the database only, created on the primary and
replicated), so a write that reached the replica would be refused there, not applied. The test
servers trade durability for speed (no fsync per commit, data in /dev/shm): they hold throwaway data.

Everything started is stopped by its PID and the folder removed by ``ReplicatedPair.close()``.
"""

import os
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # galera.py, beside this file

import galera
from galera import Server, free_ports, install, program, stop_all, wait

READER, READER_PASSWORD = "tms_reader", "reader-only-for-tests"  # a throwaway test account
_REPLICATION_PASSWORD = "replication-for-tests"  # noqa: S105 - a throwaway test account

MY_CNF = (
    galera.SERVER_CNF
    + """innodb_flush_log_at_trx_commit=2
server_id={server_id}
{role}
"""
)
PRIMARY_ROLE = "log_bin={dir}/binlog\nsync_binlog=0"
REPLICA_ROLE = "read_only=1\nrelay_log={dir}/relay\nskip_slave_start=1"


def missing() -> list[str]:
    """The Debian packages the pair needs that are not installed here."""
    return sorted(
        {galera.PACKAGES[name] for name in ("mariadbd", "mariadb-install-db") if program(name) is None}
    )


def _answers(server: Server) -> bool:
    return bool(server.status("Uptime"))


class ReplicatedPair:
    """A primary and its replica; ``start()`` returns once the replica follows the primary."""

    def __init__(self, database: str = "tms") -> None:
        # In memory where there is a tmpfs (the data is thrown away): the migration's DDL syncs the
        # disk at every step, and takes half the time without. A short path: sockets stay < 108 bytes.
        memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # noqa: S108 - a private mkdtemp
        self.root = Path(tempfile.mkdtemp(prefix="tms-repl-", dir=memory))
        self.database = database
        primary_port, replica_port = free_ports(2)
        self.primary = Server(1, self.root / "primary", primary_port)
        self.replica = Server(2, self.root / "replica", replica_port)
        self.primary.name, self.replica.name = "primary", "replica"

    @property
    def servers(self) -> list[Server]:
        return [self.primary, self.replica]

    def primary_url(self) -> str:
        return self.primary.url(self.database)

    def replica_url(self) -> str:
        """How TMS reaches the replica: the read-only account."""
        return f"mysql://{READER}:{READER_PASSWORD}@127.0.0.1:{self.replica.sql}/{self.database}"

    def start(self, timeout: float = 60) -> float:
        """Install and start both servers, create the database and accounts on the primary, and
        start replication; the seconds it took."""
        started = time.monotonic()
        user = "user=mysql\n" if os.geteuid() == 0 else ""
        for server, role in ((self.primary, PRIMARY_ROLE), (self.replica, REPLICA_ROLE)):
            (server.dir / "tmp").mkdir(parents=True)
            (server.dir / "my.cnf").write_text(
                MY_CNF.format(
                    user=user,
                    dir=server.dir,
                    sql=server.sql,
                    server_id=server.number,
                    role=role.format(dir=server.dir),
                )
            )
        install(self.root, self.servers)
        for server in self.servers:
            server.launch()
        for server in self.servers:
            wait(partial(_answers, server), timeout, server)
        # What the install wrote stays out of the log the replica replays.
        self.primary.query("RESET MASTER")
        for statement in (
            f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            f"CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '{_REPLICATION_PASSWORD}'",
            "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'",
            f"CREATE USER '{READER}'@'127.0.0.1' IDENTIFIED BY '{READER_PASSWORD}'",
            f"GRANT SELECT ON {self.database}.* TO '{READER}'@'127.0.0.1'",
        ):
            self.primary.query(statement)
        self.replica.query(
            f"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={self.primary.sql}, MASTER_USER='repl', "
            f"MASTER_PASSWORD='{_REPLICATION_PASSWORD}', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1"
        )
        self.replica.query("START SLAVE")
        self.wait_caught_up(timeout)
        return time.monotonic() - started

    def primary_position(self) -> str:
        return str(self.primary.query("SELECT @@gtid_binlog_pos")[0][0])

    def wait_caught_up(self, timeout: float = 30) -> None:
        """Return once the replica has applied everything the primary committed so far."""
        position = self.primary_position()
        result = self.replica.query("SELECT MASTER_GTID_WAIT(%s, %s)", position, timeout)[0][0]
        if result != 0:
            raise RuntimeError(
                f"the replica did not reach {position} within {timeout} s:\n{self.replica_status()}"
            )

    def replica_status(self) -> dict[str, str]:
        connection = self.replica.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SHOW SLAVE STATUS")
                row = cursor.fetchone()
                names = [column[0] for column in cursor.description or ()]
        finally:
            connection.close()
        return dict(zip(names, (str(value) for value in row or ()), strict=False))

    def pause_applying(self) -> None:
        """The replica keeps receiving the primary's log but applies none of it: stale on purpose."""
        self.replica.query("STOP SLAVE SQL_THREAD")

    def resume_applying(self) -> None:
        self.replica.query("START SLAVE SQL_THREAD")

    def stop(self, server: Server, timeout: float = 30) -> None:
        """Shut ``server`` down (SIGTERM, a clean shutdown) and return once it has exited."""
        stop_all([server.process], timeout=timeout)

    def close(self) -> None:
        """Stop both servers by PID and remove the folder."""
        stop_all([server.process for server in self.servers], timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
