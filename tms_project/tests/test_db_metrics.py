"""Database and cache metrics: what an operator reads on /metrics after real statements and reads.

The statements run on whichever database the suite runs on (SQLite, or MariaDB with DATABASE_URL);
the labels are that connection's alias and vendor.
"""

import contextlib
import os
import random
import re
import time
from pathlib import Path

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import DatabaseError, OperationalError, connection
from prometheus_client import REGISTRY

from tests.support.server import base_env, manage
from tms_project.cache import LocMemCache, RedisCache
from tms_project.metrics import DB_ERROR_TYPES

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = (
    "tms_db_query_duration_seconds",
    "tms_db_errors",
    "tms_db_connections",
    "tms_db_connection_errors",
    "tms_cache_gets",
)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def statements() -> float:
    return sample("tms_db_query_duration_seconds_count", alias="default", vendor=connection.vendor)


def errors(kind: str) -> float:
    return sample("tms_db_errors_total", alias="default", vendor=connection.vendor, type=kind)


def gets(result: str) -> float:
    return sample("tms_cache_gets_total", result=result)


@pytest.mark.django_db
def test_a_request_s_statements_show_on_metrics(client, django_user_model):
    django_user_model.objects.create_user(username="reader", password="metrics passphrase")
    before = statements()
    assert (
        client.post(
            "/api/auth/login/", {"username": "reader", "password": "metrics passphrase"}, "application/json"
        ).status_code
        == 200
    )
    assert statements() > before
    body = client.get("/metrics").content.decode()
    vendor = connection.vendor
    count = re.search(
        rf'^tms_db_query_duration_seconds_count\{{alias="default",vendor="{vendor}"\}} (\S+)$', body, re.M
    )
    assert count and float(count.group(1)) > before
    assert f'tms_db_query_duration_seconds_bucket{{alias="default",le="0.1",vendor="{vendor}"}}' in body
    # the alerted error types exist at zero before any error, so rate() has a series to start from
    assert f'tms_db_errors_total{{alias="default",type="InterfaceError",vendor="{vendor}"}}' in body
    assert 'tms_cache_gets_total{result="miss"}' in body


def force_operational_error() -> None:
    """A real OperationalError: SQLite's missing table; on MySQL/MariaDB a connection killed under a query."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM no_such_table_here")
        return
    victim = connection.copy()
    try:
        with victim.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            [victim_id] = cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute(f"KILL {int(victim_id)}")
        with victim.cursor() as cursor:
            cursor.execute("SELECT 1")  # (2013) Lost connection, or (2006) server has gone away
    finally:
        with contextlib.suppress(DatabaseError):
            victim.close()


@pytest.mark.django_db
def test_a_failing_statement_counts_as_an_error_of_its_django_class():
    before_operational, before_statements = errors("OperationalError"), statements()
    with pytest.raises(OperationalError):
        force_operational_error()
    assert errors("OperationalError") == before_operational + 1
    assert statements() > before_statements  # the failed statement's time is observed too


@pytest.mark.django_db
@pytest.mark.parametrize("code", [1213, 1205])
def test_a_deadlock_or_lock_timeout_counts_as_a_lock_conflict_not_a_connection_error(code):
    """MySQL raises them as OperationalError; the connection alert must not fire on contention."""

    def conflict(execute, sql, params, many, context):
        raise OperationalError(code, "Deadlock found when trying to get lock")

    before = errors("LockConflict"), errors("OperationalError")
    with connection.execute_wrapper(conflict), pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert (errors("LockConflict"), errors("OperationalError")) == (before[0] + 1, before[1])


@pytest.mark.django_db
def test_a_connection_that_cannot_be_opened_is_counted(settings):
    labels = {"alias": "default", "vendor": connection.vendor}
    before_errors = sample("tms_db_connection_errors_total", **labels)
    broken = connection.copy()
    if connection.vendor == "sqlite":
        broken.settings_dict["NAME"] = str(ROOT / "no-such-directory" / "db.sqlite3")
    else:  # nothing listens on port 1: refused at once
        broken.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        with pytest.raises(OperationalError):
            broken.ensure_connection()
    finally:
        broken.close()
    assert sample("tms_db_connection_errors_total", **labels) == before_errors + 1


@pytest.mark.django_db
def test_opening_a_connection_is_counted():
    labels = {"alias": "default", "vendor": connection.vendor}
    before = sample("tms_db_connections_total", **labels)
    other = connection.copy()
    try:
        other.ensure_connection()
    finally:
        other.close()
    assert sample("tms_db_connections_total", **labels) == before + 1


@pytest.mark.django_db
def test_no_sql_text_or_parameter_reaches_a_label(client):
    # Letters no number on the page can contain (a float such as 1.7965e+09 may hold any digits).
    marker = "".join(random.choice("ghjkmnpqrstuvwxyz") for _ in range(12))
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s", [f"secret-{marker}"])
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM table_{marker}")  # noqa: S608 - letters of this test
    body = client.get("/metrics").content.decode()
    assert marker not in body and "SELECT" not in body
    for family in REGISTRY.collect():
        if family.name.startswith(("tms_db_", "tms_cache_")):
            for metric in family.samples:
                assert set(metric.labels) <= {"alias", "vendor", "type", "result", "le"}
                assert metric.labels.get("type", "other") in DB_ERROR_TYPES  # a fixed set


def test_cache_reads_count_hits_and_misses():
    cache = LocMemCache("db-metrics-test", {})
    hits, misses = gets("hit"), gets("miss")
    assert cache.get("absent", "fallback") == "fallback"
    cache.set("present", 0)
    cache.set("stored-none", None)
    assert cache.get("present", "fallback") == 0  # a falsy value is a hit, not the default
    assert cache.get("stored-none", "fallback") is None  # so is a stored None
    assert (gets("hit"), gets("miss")) == (hits + 2, misses + 1)
    assert isinstance(cache, DjangoLocMemCache)


def test_redis_reads_count_hits_and_misses(redis_url):
    # Keys of this test's own (no FLUSHDB: other tests may be counting in the same database).
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"db-metrics-{os.getpid()}-{time.time_ns()}"})
    hits, misses = gets("hit"), gets("miss")
    try:
        assert cache.get("absent") is None
        cache.set("present", "1")
        assert cache.get("present") == "1"
    finally:
        cache.delete("present")
        cache.close()
    assert (gets("hit"), gets("miss")) == (hits + 1, misses + 1)
    assert isinstance(cache, DjangoRedisCache)  # what tms_project.ratelimit checks for its one round trip


def test_an_unreachable_redis_counts_an_error_and_still_raises():
    cache = RedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    before = gets("error")
    with pytest.raises(redis.ConnectionError):
        cache.get("anything")
    assert gets("error") == before + 1


def test_every_family_is_documented_for_operators():
    operations = (ROOT / "docs/operations.md").read_text()
    for family in FAMILIES:
        assert f"`{family}" in operations, f"docs/operations.md does not describe {family}"


@pytest.mark.server
@pytest.mark.parametrize(
    ("env", "engine", "cache"),
    [
        (
            {"DATABASE_URL": "sqlite:///db.sqlite3"},
            "tms_project.db.backends.sqlite3",
            "tms_project.cache.LocMemCache",
        ),
        (
            {"DATABASE_URL": "mysql://tms@127.0.0.1/tms", "REDIS_URL": "redis://127.0.0.1:6379/0"},
            "tms_project.db.backends.mysql",
            "tms_project.cache.RedisCache",
        ),
        (
            {"TMS_DB_HOST": "mysql", "REDIS_URL": "redis://127.0.0.1:6379/0", "TMS_DB_METRICS": "false"},
            "django.db.backends.mysql",
            "django.core.cache.backends.redis.RedisCache",
        ),
    ],
    ids=["sqlite", "mysql-url", "switched-off"],
)
def test_settings_choose_the_instrumented_backends(env, engine, cache):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], s.CACHES['default']['BACKEND'], d['OPTIONS'])"
    )
    result = manage("shell", "-c", code, env=base_env(**env))
    assert result.returncode == 0, result.stderr
    shown_engine, shown_cache, options = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert (shown_engine, shown_cache) == (engine, cache)
    # the vendor's options still apply to the instrumented backend
    assert ("charset" if "mysql" in engine else "transaction_mode") in options
