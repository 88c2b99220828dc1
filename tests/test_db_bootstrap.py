"""tms-db-bootstrap's script (k8s/components/mysql-innodbcluster/db-bootstrap.yaml), run for real.

Production's InnoDB Cluster starts with a root account only; the Job's script makes TMS's database
and account through the Router. Here the script is taken from the component's ConfigMap and run
with bash and the `mysql` client against the test server (TMS_TEST_DATABASE_URL, MariaDB on these
machines), with a scratch administrator standing in for tms-db-root, a scratch database and a
scratch account, all dropped afterwards. A stand-in `mysql` on PATH records every command line the
script starts, so a password on one fails the test.

What MariaDB cannot show: MySQL 8.4's dual passwords (RETAIN CURRENT PASSWORD) do not exist there,
so the rotation case proves only that an account whose password logs in is left alone; and it has
no utf8mb4_0900_ai_ci, so the database is made with DB_BOOTSTRAP_COLLATION=utf8mb4_unicode_ci
(the Job keeps the script's default, the server's collation).

Marked ``server``: it brings its own database and accounts, so it runs once, in the first half of
`make test`, not again in the MariaDB pass. About 4 s (2 of them waiting for a port that never answers).
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.support.scratch_user import MYSQL_URL
from tests.support.services import require, unavailable
from tests.support.tools import ROOT

pytestmark = pytest.mark.server

MANIFEST = ROOT / "k8s/components/mysql-innodbcluster/db-bootstrap.yaml"
DATABASE = "tms_bootstrap_test"
USER = "tms_bootstrap_user"
ADMIN = "tms_bootstrap_admin"
# Every character a shell, an SQL string or an option file could trip on.
ADMIN_PASSWORD = 'ro\'ot "pw" \\ #$`x'
PASSWORD = "first 'pw' \\n \"#;"
NEW_PASSWORD = "second 'pw' \\ `$(id)`"


def manifest_objects() -> dict[str, dict]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(MANIFEST.read_text())}


@dataclass
class Bootstrap:
    tmp: Path
    env: dict[str, str]
    cursor: object
    host: str
    port: int

    def set_password(self, password: str) -> None:
        (self.tmp / "credentials" / "TMS_DB_PASSWORD").write_text(password)

    def run(self, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(self.tmp / "bootstrap.sh")],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            ["bash", str(self.tmp / "bootstrap.sh")],
            env={**self.env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def command_lines(self) -> str:
        log = self.tmp / "argv.log"
        return log.read_text() if log.exists() else ""

    def connect(self, password: str):
        import MySQLdb

        return MySQLdb.connect(
            host=self.host, port=self.port, user=USER, password=password, database=DATABASE
        )

    def create_admin(self) -> None:
        self.cursor.execute("CREATE USER %s@'%%' IDENTIFIED BY %s", [ADMIN, ADMIN_PASSWORD])
        self.cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO {ADMIN}@'%' WITH GRANT OPTION")


def drop_scratch(cursor) -> None:
    cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
    for user in (USER, ADMIN):
        cursor.execute("DROP USER IF EXISTS %s@'%%'", [user])


@pytest.fixture
def bootstrap(tmp_path) -> Iterator[Bootstrap]:
    import dj_database_url
    import MySQLdb

    mysql = shutil.which("mysql")
    if not (mysql and shutil.which("bash")):
        unavailable("the mysql client (and bash) are not installed: apt-get install mariadb-client")
    require(MYSQL_URL, "MySQL/MariaDB")
    server = dj_database_url.parse(MYSQL_URL)
    host, port = server["HOST"] or "127.0.0.1", int(server["PORT"] or 3306)
    connection = MySQLdb.connect(
        host=host, port=port, user=server["USER"] or "root", password=server["PASSWORD"] or ""
    )
    connection.autocommit(True)
    cursor = connection.cursor()
    drop_scratch(cursor)
    # given: the script as the Job mounts it, tms-db-root's and db-password's files, and a `mysql`
    # that records its command line before it runs the real client
    (tmp_path / "bootstrap.sh").write_text(manifest_objects()["ConfigMap"]["data"]["bootstrap.sh"])
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "rootUser").write_text(ADMIN)
    (credentials / "rootPassword").write_text(ADMIN_PASSWORD)
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "mysql").write_text(
        f'#!/bin/bash\nprintf "%s\\n" "$*" >> {tmp_path}/argv.log\nexec {mysql} "$@"\n'
    )
    (shim / "mysql").chmod(0o755)
    env = {
        "PATH": f"{shim}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "TMS_DB_HOST": host,
        "TMS_DB_PORT": str(port),
        "TMS_DB_NAME": DATABASE,
        "TMS_DB_USER": USER,
        "DB_BOOTSTRAP_CREDENTIALS": str(credentials),
        "DB_BOOTSTRAP_COLLATION": "utf8mb4_unicode_ci",  # MariaDB has no utf8mb4_0900_ai_ci
        "DB_BOOTSTRAP_POLL_SECONDS": "0.2",
    }
    bootstrap = Bootstrap(tmp_path, env, cursor, host, port)
    bootstrap.set_password(PASSWORD)
    try:
        yield bootstrap
    finally:
        drop_scratch(cursor)
        connection.close()


def assert_no_password_shown(bootstrap: Bootstrap, *results: subprocess.CompletedProcess) -> None:
    shown = bootstrap.command_lines() + "".join(r.stdout + r.stderr for r in results)
    assert "--user" in bootstrap.command_lines()  # the stand-in client did record the runs
    for password in (ADMIN_PASSWORD, PASSWORD, NEW_PASSWORD):
        assert password not in shown


def test_the_job_runs_this_script_with_the_applications_secrets():
    objects = manifest_objects()
    pod = objects["Job"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["command"] == ["bash", "/opt/tms/bootstrap.sh"]
    assert {ref["secretRef"]["name"] for ref in container["envFrom"]} == {"sql-endpoint", "db-username"}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["scripts"]["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]
    files = {
        (source["secret"]["name"], item["path"])
        for source in volumes["credentials"]["projected"]["sources"]
        for item in source["secret"]["items"]
    }
    assert files == {
        ("tms-db-root", "rootUser"),
        ("tms-db-root", "rootPassword"),
        ("db-password", "TMS_DB_PASSWORD"),
    }


def test_the_first_run_makes_the_database_and_an_account_limited_to_it(bootstrap):
    import MySQLdb

    bootstrap.create_admin()
    # when
    result = bootstrap.run()
    # then
    assert result.returncode == 0, result.stderr
    assert f"database {DATABASE}: created" in result.stdout
    assert f"account {USER}@%: created" in result.stdout
    bootstrap.cursor.execute(
        "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
        [DATABASE],
    )
    assert bootstrap.cursor.fetchone() == ("utf8mb4",)
    with bootstrap.connect(PASSWORD) as tms:
        cursor = tms.cursor()
        cursor.execute("CREATE TABLE task (id INT PRIMARY KEY)")
        cursor.execute("INSERT INTO task VALUES (1)")
        with pytest.raises(MySQLdb.OperationalError) as refused:
            cursor.execute("SELECT User FROM mysql.user")
        assert refused.value.args[0] == 1142  # SELECT command denied
    assert_no_password_shown(bootstrap, result)


def test_a_second_run_changes_nothing(bootstrap):
    bootstrap.create_admin()
    assert bootstrap.run().returncode == 0
    with bootstrap.connect(PASSWORD) as tms:
        tms.cursor().execute("CREATE TABLE task (id INT PRIMARY KEY)")
    # when
    again = bootstrap.run()
    # then: nothing made or altered, and what the application made is still there
    assert again.returncode == 0, again.stderr
    assert f"database {DATABASE}: already there" in again.stdout
    assert f"account {USER}@%: already there" in again.stdout
    assert "it has that password now" not in again.stdout
    with bootstrap.connect(PASSWORD) as tms:
        cursor = tms.cursor()
        cursor.execute("SELECT COUNT(*) FROM task")
        assert cursor.fetchone() == (0,)


def test_a_new_password_in_the_secret_is_given_to_the_account(bootstrap):
    import MySQLdb

    bootstrap.create_admin()
    first = bootstrap.run()
    assert first.returncode == 0
    # when db-password holds a new password and the Job runs again
    bootstrap.set_password(NEW_PASSWORD)
    rotated = bootstrap.run()
    # then the new one logs in and the old one no longer does
    assert rotated.returncode == 0, rotated.stderr
    assert f"account {USER}@%: did not log in with db-password's password; it has that password now" in (
        rotated.stdout
    )
    with bootstrap.connect(NEW_PASSWORD) as tms:
        tms.cursor().execute("CREATE TABLE task (id INT PRIMARY KEY)")
    with pytest.raises(MySQLdb.OperationalError) as refused:
        bootstrap.connect(PASSWORD)
    assert refused.value.args[0] == 1045  # Access denied
    assert_no_password_shown(bootstrap, first, rotated)


def test_it_waits_until_the_database_lets_it_in(bootstrap):
    # given no root account yet (as before the operator has made the cluster)
    process = bootstrap.start()
    try:
        time.sleep(1.0)
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        # when the account appears
        bootstrap.create_admin()
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    # then it went on by itself
    assert process.returncode == 0, output
    assert "not yet:" in output and "Access denied" in output
    assert f"account {USER}@%: created" in output


def test_it_gives_up_with_the_reason_when_nothing_answers(bootstrap):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    started = time.monotonic()
    result = bootstrap.run(TMS_DB_PORT=str(port), DB_BOOTSTRAP_WAIT_SECONDS="1")
    assert result.returncode == 1
    assert time.monotonic() - started >= 1
    assert f"no way in to {bootstrap.host}:{port}" in result.stderr
    assert "Can't connect" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("TMS_DB_USER", "tms'@'%"), ("TMS_DB_NAME", "tms`; DROP DATABASE mysql")]
)
def test_names_that_would_need_quoting_are_refused(bootstrap, name, value):
    bootstrap.create_admin()
    result = bootstrap.run(**{name: value})
    assert result.returncode == 2
    assert "letters, digits and _ only" in result.stderr
    assert bootstrap.command_lines() == ""  # refused before any statement
