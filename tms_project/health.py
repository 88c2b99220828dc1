"""Liveness and readiness checks behind /healthz and /readyz.

Liveness asks only "is this process serving?": it never touches the database,
so a database outage makes pods unready instead of restarting all of them.
Readiness asks whether this pod can do useful work: database reachable, cache
reachable, no unapplied migrations (the migration Job runs before the pods) — and
not being stopped: a pod whose preStop hook has created TMS_DRAIN_FILE is draining
(docs/reliability.md, "Rolling updates without downtime").
"""

import logging
import os

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from tms_project.env import env_str

logger = logging.getLogger("tms.health")

OK, FAILED, SKIPPED = "ok", "failed", "skipped"

_migrations_applied = False  # once true it stays true for the life of the process


def check_database() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
        # Drop the broken connection so the next probe reconnects.
        connection.close()
        return FAILED
    return OK


def check_cache() -> str:
    try:
        cache.set("readyz", "1", timeout=10)
        if cache.get("readyz") != "1":
            raise ConnectionError("cache did not return the value just stored")
    except Exception as exc:  # noqa: BLE001 - every backend raises its own error types
        logger.warning("readiness: cache unreachable", extra={"error": type(exc).__name__})
        return FAILED
    return OK


def check_migrations() -> str:
    global _migrations_applied
    if _migrations_applied:
        return OK
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        logger.warning("readiness: migration state unreadable", extra={"error": type(exc).__name__})
        return FAILED
    if pending:
        logger.warning("readiness: migrations not applied", extra={"pending": len(pending)})
        return FAILED
    _migrations_applied = True
    return OK


def readiness() -> tuple[bool, dict[str, str]]:
    checks = {"database": check_database(), "cache": check_cache()}
    checks["migrations"] = check_migrations() if checks["database"] == OK else SKIPPED
    return all(state == OK for state in checks.values()), checks


def draining() -> bool:
    """Whether this pod is being stopped: its preStop hook created the file TMS_DRAIN_FILE names.

    Kubernetes runs the preStop hook before it sends SIGTERM. While the hook waits, /readyz
    answers 503, so whatever routes by readiness stops sending requests here while gunicorn
    still serves the ones on their way. The file lives in /tmp, the pod's writable emptyDir
    (the root filesystem is read-only). Without TMS_DRAIN_FILE nothing drains this way.
    """
    path = env_str("TMS_DRAIN_FILE")
    return path is not None and path != "" and os.path.exists(path)
