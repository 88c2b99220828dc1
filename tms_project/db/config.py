"""The databases settings.py gives Django: the primary, and an optional read replica.

The primary is DATABASE_URL, or (as Kubernetes Secrets give them) TMS_DB_HOST with TMS_DB_NAME,
TMS_DB_USER, TMS_DB_PASSWORD and TMS_DB_PORT, which need no URL-escaping of the password; the
embedded SQLite file when neither is set. The replica (docs/operations.md "Read replica") is
TMS_DB_REPLICA_URL, or TMS_DB_REPLICA_HOST with TMS_DB_REPLICA_PORT, _USER and _PASSWORD (each the
primary's when unset; the database name is the primary's). Some reads go there
(tms_project.db.replica_router); unset, there is no second database and no router.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tms_project.env import env_int, env_str

MYSQL = "django.db.backends.mysql"
SQLITE = "django.db.backends.sqlite3"
REPLICA_ROUTER = "tms_project.db.replica_router.ReplicaRouter"
# Django's backend with query, error and connection metrics in front (tms_project.db, /metrics,
# docs/operations.md "Monitoring").
INSTRUMENTED_ENGINES = {MYSQL: "tms_project.db.backends.mysql", SQLITE: "tms_project.db.backends.sqlite3"}


def primary(base_dir: Path) -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    database: dict[str, Any] = dict(
        dj_database_url.parse(
            url or f"sqlite:///{base_dir / 'db.sqlite3'}",
            conn_max_age=env_int("TMS_DB_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    )
    if (host := env_str("TMS_DB_HOST")) and not url:
        database.update(
            {
                "ENGINE": MYSQL,
                "HOST": host,
                "PORT": str(env_int("TMS_DB_PORT", 3306, minimum=1)),
                "NAME": env_str("TMS_DB_NAME", "tms"),
                "USER": env_str("TMS_DB_USER", "tms"),
                "PASSWORD": env_str("TMS_DB_PASSWORD", ""),
            }
        )
    if database["ENGINE"] == MYSQL:
        database["OPTIONS"] = {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "connect_timeout": env_int("TMS_DB_CONNECT_TIMEOUT", 3, minimum=1),
            # A database that hangs (host frozen, network partition) must not hold a worker
            # thread until gunicorn kills it: the request fails with 503 instead.
            "read_timeout": env_int("TMS_DB_READ_TIMEOUT", 10, minimum=1),
            "write_timeout": env_int("TMS_DB_WRITE_TIMEOUT", 10, minimum=1),
            **database.get("OPTIONS", {}),
        }
        database["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    elif database["ENGINE"] == SQLITE:
        # SQLite keeps one connection per thread: no persistent connections, and
        # writers queue (IMMEDIATE + timeout) instead of failing with "locked".
        database["CONN_MAX_AGE"] = 0
        database["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return database


def replica(default: dict[str, Any]) -> dict[str, Any] | None:
    """The read replica's settings (the primary's options, another server), or None."""
    url, host = env_str("TMS_DB_REPLICA_URL"), env_str("TMS_DB_REPLICA_HOST")
    if not (url or host):
        return None
    if default["ENGINE"] != MYSQL:
        raise ImproperlyConfigured("A read replica (TMS_DB_REPLICA_*) needs a MySQL or MariaDB primary.")
    database = {**default, "OPTIONS": dict(default["OPTIONS"])}
    if url:
        parsed = dj_database_url.parse(url)
        if parsed["ENGINE"] != MYSQL:
            raise ImproperlyConfigured("TMS_DB_REPLICA_URL must be a mysql:// URL.")
        for key in ("HOST", "PORT", "NAME", "USER", "PASSWORD"):
            database[key] = parsed[key]
        database["OPTIONS"].update(parsed.get("OPTIONS", {}))
    else:
        database.update(
            {
                "HOST": str(host),
                "PORT": str(env_int("TMS_DB_REPLICA_PORT", int(default["PORT"] or 3306))),
                "USER": env_str("TMS_DB_REPLICA_USER", default["USER"]),
                "PASSWORD": env_str("TMS_DB_REPLICA_PASSWORD", default["PASSWORD"]),
            }
        )
    return database


def databases(base_dir: Path, *, metrics: bool) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """DATABASES and DATABASE_ROUTERS, with the instrumented backends when ``metrics``."""
    found = {"default": primary(base_dir)}
    routers = []
    if (copy := replica(found["default"])) is not None:
        found["replica"] = copy
        routers.append(REPLICA_ROUTER)
    for database in found.values():
        if metrics and database["ENGINE"] in INSTRUMENTED_ENGINES:
            database["ENGINE"] = INSTRUMENTED_ENGINES[database["ENGINE"]]
    return found, routers
