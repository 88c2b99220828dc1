"""The read-replica router without servers: what goes where (tests/test_read_replica.py runs it
against a real primary and replica)."""

import json
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import router, transaction
from django.test import override_settings
from django.urls import get_resolver

from tasks.models import Task
from tests.support.server import ROOT, base_env
from tms_project.db import replica_router
from tms_project.db.replica_router import ReplicaRouter, pin_to_primary, pinned, replica_reads

ROUTERS = ["tms_project.db.replica_router.ReplicaRouter"]


@pytest.fixture
def with_replica(monkeypatch):
    """Settings as with TMS_DB_REPLICA_URL: the router installed (no connection is opened here)."""
    monkeypatch.setattr(replica_router, "replica_configured", lambda: True)
    monkeypatch.setattr(replica_router, "_cache_resting_until", 0.0)
    cache.clear()
    with override_settings(DATABASE_ROUTERS=ROUTERS):
        yield
    cache.clear()


def test_reads_go_to_the_replica_only_inside_a_replica_block(with_replica):
    # given a user who has not written
    # when / then
    assert Task.objects.all().db == "default"
    with replica_reads(1) as allowed:
        assert allowed
        assert Task.objects.all().db == "replica"
    assert Task.objects.all().db == "default"


def test_a_user_who_just_wrote_reads_the_primary_and_others_do_not(with_replica):
    # given
    pin_to_primary(7)
    # when / then
    with replica_reads(7) as allowed:
        assert not allowed
        assert Task.objects.all().db == "default"
    with replica_reads(8):
        assert Task.objects.all().db == "replica"


def test_select_for_update_and_writes_go_to_the_primary(with_replica):
    with replica_reads(1):
        assert Task.objects.select_for_update().db == "default"
        assert router.db_for_write(Task) == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(with_replica):
    with replica_reads(1):
        with transaction.atomic():
            assert Task.objects.all().db == "default"
        assert Task.objects.all().db == "replica"


def test_migrations_run_on_the_primary_only(with_replica):
    assert router.allow_migrate_model("default", Task)
    assert not router.allow_migrate_model("replica", Task)
    assert not router.allow_migrate("replica", "django_migrations")
    assert ReplicaRouter().allow_relation(Task(), Task())


def test_without_the_cache_a_user_counts_as_pinned_and_the_cache_rests(monkeypatch):
    asked = []

    def broken(*args, **kwargs):
        asked.append(args)
        raise ConnectionError("cache down")

    monkeypatch.setattr(replica_router, "_cache_resting_until", 0.0)
    monkeypatch.setattr(cache, "get", broken)
    assert pinned(1)
    # and the next reads go to the primary without waiting for the cache again
    assert pinned(2) and pinned(3)
    assert len(asked) == 1
    # until the rest is over
    monkeypatch.setattr(replica_router, "_cache_resting_until", 0.0)
    assert pinned(4) and len(asked) == 2


def test_without_a_replica_writes_pin_nothing_and_reads_stay_on_the_primary():
    cache.clear()
    pin_to_primary(5)
    assert cache.get("db-pin:5") is None
    with replica_reads(5) as allowed:
        assert not allowed
        assert Task.objects.all().db == "default"


def test_only_the_list_a_task_stats_history_and_trash_may_read_the_replica():
    resolver = get_resolver("tms_project.urls.all")
    marked = set()
    for pattern in resolver.url_patterns:
        for inner in getattr(pattern, "url_patterns", []):
            view = getattr(inner.callback, "view_class", None)
            if getattr(view, "reads_on_replica", False):
                marked.add(f"{pattern.pattern}{inner.pattern}")
    assert marked == {
        "api/tasks/",
        "api/tasks/<id:task_id>/",
        "api/tasks/<id:task_id>/history/",
        "api/tasks/trash/",
        "api/tasks/stats/",
    }


def _databases(**env: str) -> dict:
    script = (
        "import json; from tms_project import settings as s; "
        "routers = getattr(s, 'DATABASE_ROUTERS', []); "
        "print(json.dumps({'databases': s.DATABASES, 'routers': routers}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=base_env(**env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.server
def test_a_replica_url_adds_the_replica_with_the_primarys_options_and_metrics():
    # when
    got = _databases(
        DATABASE_URL="mysql://tms:secret@primary:3306/tms",
        TMS_DB_REPLICA_URL="mysql://reader:other@replica:3307/tms",
    )
    # then
    primary, replica = got["databases"]["default"], got["databases"]["replica"]
    assert got["routers"] == ROUTERS
    assert (replica["HOST"], replica["PORT"], replica["USER"], replica["PASSWORD"]) == (
        "replica",
        3307,
        "reader",
        "other",
    )
    assert replica["ENGINE"] == primary["ENGINE"] == "tms_project.db.backends.mysql"
    assert replica["OPTIONS"] == primary["OPTIONS"]
    assert replica["CONN_HEALTH_CHECKS"] is True


@pytest.mark.server
def test_a_replica_host_takes_the_primarys_name_user_and_password():
    got = _databases(
        TMS_DB_HOST="primary",
        TMS_DB_USER="tms",
        TMS_DB_PASSWORD="p@ss/word",
        TMS_DB_REPLICA_HOST="replica",
        TMS_DB_METRICS="false",
    )
    replica = got["databases"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"], replica["USER"], replica["PASSWORD"]) == (
        "replica",
        "3306",
        "tms",
        "tms",
        "p@ss/word",
    )
    assert replica["ENGINE"] == "django.db.backends.mysql"


@pytest.mark.server
def test_without_a_replica_there_is_one_database_and_no_router():
    got = _databases(DATABASE_URL="mysql://tms:secret@primary:3306/tms")
    assert list(got["databases"]) == ["default"]
    assert got["routers"] == []
