"""A scratch database on the test MySQL/MariaDB server with a user of its own, whose password has
every character a URL or a shell could trip on, and who may use only that database.

``scratch_with_user(database, user)`` drops and creates both, yields what a test needs to reach
them (an admin ``cursor``, the user's ``url`` and ``password``, the admin's ``admin_url``, and the
Kubernetes-style ``variables`` TMS_DB_*), and drops both afterwards. The server is
``TMS_TEST_DATABASE_URL`` (default root on 127.0.0.1:3306); without it the test is skipped, or
fails under TMS_REQUIRE_SERVICES=1.
"""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from tests.support.services import require

MYSQL_URL = os.environ.get("TMS_TEST_DATABASE_URL", "mysql://root@127.0.0.1:3306/tms")


@contextmanager
def scratch_with_user(database: str, user: str) -> Iterator[dict[str, Any]]:
    import dj_database_url
    import MySQLdb

    require(MYSQL_URL, "MySQL/MariaDB")
    admin = dj_database_url.parse(MYSQL_URL)
    host, port = admin["HOST"] or "127.0.0.1", int(admin["PORT"] or 3306)
    connection = MySQLdb.connect(
        host=host,
        port=port,
        user=admin["USER"] or "root",
        password=admin["PASSWORD"] or "",
        charset="utf8mb4",
    )
    connection.autocommit(True)
    cursor = connection.cursor()
    password = f"pw '{secrets.token_urlsafe(12)}' :/@#"

    def drop() -> None:
        cursor.execute(f"DROP DATABASE IF EXISTS {database}")
        for account in ("%", "localhost"):
            cursor.execute("DROP USER IF EXISTS %s@%s", [user, account])

    drop()
    cursor.execute(f"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for account in ("%", "localhost"):
        cursor.execute("CREATE USER %s@%s IDENTIFIED BY %s", [user, account, password])
        cursor.execute(f"GRANT ALL PRIVILEGES ON {database}.* TO %s@%s", [user, account])
    admin_url = (
        f"mysql://{quote(admin['USER'] or 'root')}:{quote(admin['PASSWORD'] or '', safe='')}@{host}:{port}"
    )
    try:
        yield {
            "cursor": cursor,
            "admin_url": f"{admin_url}/{database}",
            "url": f"mysql://{user}:{quote(password, safe='')}@{host}:{port}/{database}",
            "variables": {
                "TMS_DB_HOST": host,
                "TMS_DB_PORT": str(port),
                "TMS_DB_NAME": database,
                "TMS_DB_USER": user,
                "TMS_DB_PASSWORD": password,
            },
            "password": password,
        }
    finally:
        drop()
        connection.close()


def snapshot(cursor: Any, database: str) -> dict[str, tuple]:
    """Every table of ``database``: its definition, its columns and all of its rows (in a fixed
    order), for "restored row for row" comparisons."""
    cursor.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME",
        [database],
    )
    tables = {}
    for (name,) in cursor.fetchall():
        cursor.execute(f"SHOW CREATE TABLE {database}.`{name}`")
        definition = cursor.fetchone()[1]
        cursor.execute(f"SELECT * FROM {database}.`{name}`")  # noqa: S608 - names from information_schema
        columns = [column[0] for column in cursor.description]
        tables[name] = (definition, columns, sorted(cursor.fetchall(), key=repr))
    return tables
