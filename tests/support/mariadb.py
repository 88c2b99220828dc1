"""A MariaDB server of one test's own: its own data directory, socket, pid file and port.

Tests that take the database away (stop it, start it again) cannot do that to
the shared server other suites use. ``dedicated_mariadb()`` installs a fresh
data directory, starts ``mariadbd`` on a free port of 127.0.0.1 with grant
tables (root, empty password), and removes everything when the block ends,
also when the test fails.
"""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import MySQLdb

from tests.support.server import free_port
from tests.support.services import require, unavailable

_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# Small buffers: the tests hold a few hundred rows, and the machine runs other work.
_SERVER_OPTIONS = ("--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M")


def _program(name: str) -> str | None:
    return shutil.which(name, path=_SEARCH_PATH)


def _user_option() -> list[str]:
    # mariadbd refuses to run as root unless told to; as anyone else it runs as that user.
    return ["--user=root"] if os.geteuid() == 0 else []


class DedicatedMariaDB:
    def __init__(self, directory: Path, mariadbd: str) -> None:
        self.directory = directory
        self.datadir = directory / "data"
        self.mariadbd = mariadbd
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str | None = None, *, timeout: int = 2) -> MySQLdb.Connection:
        kwargs = {"db": database} if database else {}
        return MySQLdb.connect(
            host="127.0.0.1", port=self.port, user="root", connect_timeout=timeout, autocommit=True, **kwargs
        )

    def execute(self, sql: str, *args: object, database: str | None = None) -> list[tuple]:
        connection = self.connect(database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, args or None)
                return list(cursor.fetchall())
        finally:
            connection.close()

    def install(self, install_db: str) -> None:
        result = subprocess.run(
            [
                install_db,
                "--no-defaults",  # the machine's my.cnf (other datadir, other user) must not apply
                f"--datadir={self.datadir}",
                *_user_option(),
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *_SERVER_OPTIONS,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed:\n{result.stdout}\n{result.stderr}")

    def start(self, timeout: float = 30) -> None:
        """Start the server (again: same data directory, same port) and return once it answers."""
        assert self.process is None or self.process.poll() is not None, "already running"
        log = open(self.directory / "mariadbd.log", "a")  # noqa: SIM115 - handed to the child
        try:
            self.process = subprocess.Popen(
                [
                    self.mariadbd,
                    "--no-defaults",
                    *_user_option(),
                    f"--datadir={self.datadir}",
                    f"--socket={self.directory / 'mariadbd.sock'}",
                    f"--pid-file={self.directory / 'mariadbd.pid'}",
                    f"--log-error={self.directory / 'mariadbd.err'}",
                    "--bind-address=127.0.0.1",
                    f"--port={self.port}",
                    "--skip-name-resolve",
                    *_SERVER_OPTIONS,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited with {self.process.returncode}:\n{self.error_log()}")
            try:
                self.connect(timeout=1).close()
                return
            except MySQLdb.OperationalError:
                time.sleep(0.05)
        raise RuntimeError(f"mariadbd did not answer within {timeout}s:\n{self.error_log()}")

    def stop(self, timeout: float = 30) -> None:
        """Shut the server down (SIGTERM: a clean shutdown) and return once it has exited."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def error_log(self) -> str:
        path = self.directory / "mariadbd.err"
        return path.read_text()[-4000:] if path.exists() else "(no error log)"


@contextmanager
def dedicated_mariadb() -> Iterator[DedicatedMariaDB]:
    """A running MariaDB of the caller's own; skipped (or failed under TMS_REQUIRE_SERVICES=1)
    when the MariaDB server programs are not installed."""
    mariadbd, install_db = _program("mariadbd"), _program("mariadb-install-db")
    if not (mariadbd and install_db):
        unavailable("the MariaDB server programs (mariadbd, mariadb-install-db) are not installed")
    # Under /tmp, not pytest's tmp_path: a unix socket path must stay under 108 bytes.
    directory = Path(tempfile.mkdtemp(prefix="tms-mariadb-"))
    server = DedicatedMariaDB(directory, mariadbd)
    try:
        server.install(install_db)
        server.start()
        require(server.url("mysql"), "the test's own MariaDB")
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
