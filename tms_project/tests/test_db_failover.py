"""Losing the database mid-request: 503 + Retry-After in the error body, never a 500, and the one
retry that cannot repeat a write (tms_project.db_failover, docs/reliability.md)."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, InterfaceError, OperationalError, connection

from tms_project import db_failover
from tms_project.tests import failover_urls

# Real transactions: the test's own would hide autocommit and COMMIT from what is under test.
pytestmark = [pytest.mark.urls("tms_project.tests.failover_urls"), pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def pauses(monkeypatch):
    """The pauses before a request runs again, instead of sleeping them."""
    slept: list[float] = []
    monkeypatch.setattr(db_failover.time, "sleep", slept.append)
    return slept


@pytest.fixture(autouse=True)
def _clean():
    failover_urls.attempts.clear()
    failover_urls.fault.clear()
    yield
    failover_urls.fault.clear()


def database_error(code: int, message: str = "the database failed") -> Exception:
    """What the database library raises for ``code`` (Django maps it onto its own class by name)."""
    library: Any = getattr(connection, "Database")  # noqa: B009 - each backend sets it, the stubs do not say
    kind = library.InterfaceError if code == 0 else library.OperationalError
    return kind(code, message)


def fail_once(code: int, on: str = "UPDATE"):
    """A fault raising ``code`` at the first statement starting with ``on``, once."""
    raised: list[int] = []

    def inject(sql: str) -> None:
        if sql.lstrip().upper().startswith(on) and not raised:
            raised.append(code)
            with connection.wrap_database_errors:
                raise database_error(code)

    return inject


def fail_always(code: int, on: str = "UPDATE"):
    def inject(sql: str) -> None:
        if sql.lstrip().upper().startswith(on):
            with connection.wrap_database_errors:
                raise database_error(code)

    return inject


class FailingCommit:
    """The DB-API connection, but COMMIT breaks the connection once (the server may have applied it)."""

    def __init__(self, real, code: int) -> None:
        self.real, self.code, self.failed = real, code, False

    def commit(self):
        if not self.failed:
            self.failed = True
            self.real.commit()  # applied, and then the answer is lost
            raise database_error(self.code, "Lost connection to server during query")
        return self.real.commit()

    def __getattr__(self, name):
        return getattr(self.real, name)


def assert_unavailable(response) -> dict:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == str(db_failover.RETRY_AFTER_SECONDS)
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["message"] == db_failover.MESSAGE
    return error


def write(client, name: str, query: str = ""):
    return client.post(f"/api/failover/write/{query}", {"name": name}, content_type="application/json")


@pytest.mark.parametrize(
    "code",
    [2006, 2013, 1213, 1205, 4031, 1927, 1047, 1290, 2003, 0],
    ids=[
        "gone-away",
        "lost-during-query",
        "deadlock-or-certification",
        "lock-wait-timeout",
        "disconnected-by-server",
        "connection-killed",
        "wsrep-not-ready",
        "read-only",
        "cannot-connect",
        "interface-error",
    ],
)
def test_every_database_outage_is_503_with_retry_after_and_nothing_half_written(client, code):
    # given: the fault on every attempt
    failover_urls.fault.append(fail_always(code))
    # when
    response = write(client, "g1")
    # then
    assert_unavailable(response)
    assert not Group.objects.filter(name__startswith="g1").exists()


@pytest.mark.parametrize("code", [1213, 2006, 2013, 4031, 1927, 0])
def test_a_conflict_or_a_connection_lost_before_commit_is_run_once_more_and_written_once(client, code):
    # given
    failover_urls.fault.append(fail_once(code))
    # when
    response = write(client, "g1")
    # then: the second run answered, and the group exists once
    assert response.status_code == 201, response.content
    assert failover_urls.attempts == ["g1", "g1"]
    assert list(Group.objects.filter(name="g1").values_list("pk", flat=True)) == [response.json()["id"]]


def test_a_lost_connection_waits_for_the_router_before_the_second_run_a_conflict_does_not(client, pauses):
    failover_urls.fault.append(fail_once(2013))
    assert write(client, "g1").status_code == 201
    assert pauses == [db_failover.RECONNECT_PAUSE_SECONDS]
    failover_urls.fault[:] = [fail_once(1213)]
    assert write(client, "g2").status_code == 201
    assert pauses == [db_failover.RECONNECT_PAUSE_SECONDS]


def test_a_conflict_twice_is_503_after_two_runs(client):
    failover_urls.fault.append(fail_always(1213))
    assert_unavailable(write(client, "g1"))
    assert failover_urls.attempts == ["g1", "g1"]


@pytest.mark.parametrize("code", [1205, 1047, 1290, 2003, 2002])
def test_other_outages_are_not_retried(client, code):
    failover_urls.fault.append(fail_once(code))
    assert_unavailable(write(client, "g1"))
    assert failover_urls.attempts == ["g1"]


@pytest.mark.parametrize("code", [2013, 2006])
def test_a_connection_lost_during_commit_is_503_and_never_run_again(client, code, caplog):
    # given: COMMIT reaches the database, its answer does not
    connection.ensure_connection()
    real = connection.connection
    connection.connection = FailingCommit(real, code)
    try:
        # when
        response = write(client, "g1")
    finally:
        if isinstance(connection.connection, FailingCommit):
            connection.connection = real
    # then: ambiguous, so the client decides (its Idempotency-Key or If-Match makes a repeat harmless)
    assert_unavailable(response)
    assert failover_urls.attempts == ["g1"]
    assert Group.objects.filter(name="g1").count() == 1
    assert [r.reason for r in caplog.records if hasattr(r, "reason")] == [
        "the connection broke during COMMIT: the transaction may have been applied"
    ]


def test_a_conflict_at_commit_is_run_once_more(client):
    # Galera's certification failure comes at COMMIT, and the transaction was rolled back
    connection.ensure_connection()
    real = connection.connection

    class Refused(FailingCommit):
        def commit(self):
            if not self.failed:
                self.failed = True
                self.real.rollback()
                raise database_error(
                    1213, "Deadlock found when trying to get lock; try restarting transaction"
                )
            return self.real.commit()

    connection.connection = Refused(real, 1213)
    try:
        response = write(client, "g1")
    finally:
        if isinstance(connection.connection, FailingCommit):
            connection.connection = real
    assert response.status_code == 201, response.content
    assert failover_urls.attempts == ["g1", "g1"]
    assert Group.objects.filter(name="g1").count() == 1


def test_nothing_runs_again_after_a_write_of_the_request_was_committed(client):
    # given: the request committed one write, then lost the connection in its transaction
    failover_urls.fault.append(fail_once(2013))
    # when
    response = write(client, "g1", "?before=1")
    # then
    assert_unavailable(response)
    assert failover_urls.attempts == ["g1"]
    assert list(Group.objects.values_list("name", flat=True)) == ["g1-before"]


def test_a_transaction_that_changed_no_row_does_not_count_as_a_write(client):
    # like the purge of expired idempotency keys before a create: a DELETE of nothing, committed
    failover_urls.fault.append(fail_once(2013))
    response = write(client, "g1", "?purge=1")
    assert response.status_code == 201, response.content
    assert failover_urls.attempts == ["g1", "g1"]


def test_a_write_outside_a_transaction_that_lost_its_connection_is_not_run_again(client):
    # an INSERT in autocommit that lost its answer may have been applied
    failover_urls.fault.append(fail_once(2013, on="INSERT"))
    assert_unavailable(write(client, "g1", "?outside=1"))
    assert failover_urls.attempts == ["g1"]


def test_a_plain_django_view_outage_is_503_in_the_error_body(client):
    response = client.get("/api/failover/plain/")
    error = assert_unavailable(response)
    assert error["request_id"] == response["X-Request-ID"]
    assert failover_urls.attempts == ["plain"]


def test_a_body_too_large_to_keep_is_not_run_again(client, monkeypatch):
    monkeypatch.setattr(db_failover, "REPLAYABLE_BODY_BYTES", 10)
    failover_urls.fault.append(fail_once(1213))
    assert_unavailable(write(client, "a-longer-name"))
    assert failover_urls.attempts == ["a-longer-name"]


def test_the_error_codes_are_read_from_the_exception():
    assert db_failover.error_code(OperationalError(2013, "Lost connection")) == 2013
    assert db_failover.error_code(OperationalError("database is locked")) is None
    assert db_failover.connection_lost(InterfaceError(0, ""))
    assert db_failover.connection_lost(InterfaceError("connection already closed"))
    assert not db_failover.connection_lost(OperationalError(1213, "Deadlock found"))
    assert not db_failover.is_unavailable(DatabaseError(1062, "Duplicate entry"))
