"""A database of one test module's own on the running MariaDB, for tests whose worker processes
connect to it themselves (they cannot see a test's transaction).

``scratch_database("tms_test_deliver")`` creates ``<prefix>_<pid>`` (two runs of the suite at once
do not collide), yields its name, and drops it afterwards; ``query`` runs one statement in it and
``url`` is what to give a child process as DATABASE_URL. The server is ``TMS_TEST_MARIADB_URL``
(default: root on 127.0.0.1:3306); without it the test is skipped, or fails under
TMS_REQUIRE_SERVICES=1.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import MySQLdb

from tests.support.services import require

MARIADB = os.environ.get("TMS_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306")


def connect(database: str | None = None) -> MySQLdb.Connection:
    parsed = urlparse(MARIADB)
    kwargs = {"db": database} if database else {}
    return MySQLdb.connect(
        host=parsed.hostname, port=parsed.port or 3306, user=parsed.username or "root",
        passwd=parsed.password or "", autocommit=True, **kwargs,
    )  # fmt: skip


def query(database: str, sql: str, *args: object) -> list[tuple]:
    connection = connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, args or None)
            return list(cursor.fetchall())
    finally:
        connection.close()


def url(database: str) -> str:
    return f"{MARIADB}/{database}"


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    require(MARIADB, "MariaDB")
    name = f"{prefix}_{os.getpid()}"
    with connect().cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        yield name
    finally:
        with connect().cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
