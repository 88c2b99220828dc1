"""What a request does when the database primary goes away or refuses a transaction.

A clustered database (docs/reliability.md "Losing the database primary") loses its
primary now and then: the connections to it break, and the transaction in flight is
rolled back, or, when the connection broke during COMMIT, nobody knows. Galera also
refuses a transaction that conflicts with one committed on another node (1213 at
commit, "certification failure"). So:

- Every error of the database's availability (OperationalError, InterfaceError)
  answers 503 with ``Retry-After`` in TMS's error body, never a 500: from a DRF view
  through the exception handler (``unavailable_response``), from anywhere else under
  /api/ through ``RetryOnceMiddleware``.
- ``RetryOnceMiddleware`` runs a request once more (at once after a conflict, a second
  later after a lost connection) when what failed cannot have written anything: a
  deadlock or certification conflict (1213, the server rolled the transaction back), or
  a connection lost before COMMIT was sent, and only when nothing of the request was
  committed before (an earlier transaction, an autocommitted
  write). A connection lost during COMMIT, or during a write outside a transaction, is
  ambiguous: that answer is the 503, and the client retries with its Idempotency-Key
  or If-Match, which make a repeat harmless.

New connections reach the new primary by themselves: the one that failed is closed
before the retry, and CONN_HEALTH_CHECKS (tms_project/settings.py) tests a kept
connection before a request uses it.
"""

import io
import logging
import time
import types
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from tms_project.api.errors import error_body, error_response

logger = logging.getLogger("tms.db")

RETRY_AFTER_SECONDS = 5  # a Galera node's eviction takes about 7 s after it died (docs/reliability.md)
# Before a request whose connection broke runs again: the router in front needs about a second to
# see the primary gone and send new connections elsewhere (measured with HAProxy, docs/reliability.md);
# at once, the new connection would meet the dead primary again. A conflict runs again at once.
RECONNECT_PAUSE_SECONDS = 1.0
MESSAGE = "The service is temporarily unavailable; try again shortly."

DEADLOCK = 1213  # ER_LOCK_DEADLOCK, also Galera's certification failure: the transaction was rolled back
# The connection broke: 2006 gone away, 2013 lost during a query, 2055 lost at a system call, 4031
# disconnected by the server (MySQL 8), 1927 connection killed (MariaDB), 1053 server shutting down.
CONNECTION_LOST = frozenset({2006, 2013, 2055, 4031, 1927, 1053})
# Answered 503 without a retry: 2002 and 2003 could not connect (no database behind the router: a
# second's wait would only hold the thread), 1047 the node is not part of the cluster's primary
# component (WSREP not ready), 1205 a lock wait timed out, 1040 too many connections, 1290 and 1792
# read-only.
NOT_READY = frozenset({2002, 2003, 1047, 1205, 1040, 1290, 1792})

# Bodies up to this size are kept so that a request can run again; larger ones (imports) never do.
REPLAYABLE_BODY_BYTES = 1024 * 1024
_FAILURE = "_tms_database_failure"
# Statements that change no row (SQLite begins its transactions with a statement of its own).
_NOT_WRITES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN", "BEGIN", "START")


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot serve now (503), rather than that TMS erred (500)."""
    return isinstance(exc, (OperationalError, InterfaceError))


def error_code(exc: BaseException) -> int | None:
    """The server's or client library's error number, when there is one (SQLite's errors have none)."""
    code = exc.args[0] if exc.args else None
    return code if isinstance(code, int) else None


def connection_lost(exc: BaseException) -> bool:
    # InterfaceError: the library's (0, '') or Django's "connection already closed".
    return isinstance(exc, InterfaceError) or error_code(exc) in CONNECTION_LOST


def during_commit(exc: BaseException) -> bool:
    """Whether ``exc`` came out of COMMIT (Django's ``commit``): the transaction may have been applied."""
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in ("commit", "_commit") and code.co_filename.endswith(
            ("django/db/backends/base/base.py", "django/db/backends/mysql/base.py")
        ):
            return True
        tb = tb.tb_next
    return False


def record(request: HttpRequest, exc: BaseException) -> None:
    """Keep the database error a request failed with, for ``RetryOnceMiddleware``."""
    setattr(request, _FAILURE, exc)


def unavailable_response(exc: BaseException, request: HttpRequest | None = None) -> dict[str, Any]:
    """Log the error and keep it on the request; the 503 body (the caller adds ``retry_after_headers``)."""
    code = error_code(exc)
    logger.error("database unavailable", exc_info=exc, extra={"db_error": code})
    if request is not None:
        record(request, exc)
    return error_body(503, message=MESSAGE)


def retry_after_headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)}


@receiver(got_request_exception)
def _record_uncaught(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """An error that escaped a view or middleware below: Django answers it with a 500, which
    ``RetryOnceMiddleware`` turns into the 503 (or the retry) when the database was the cause."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None and is_unavailable(exc):
        record(request, exc)


def _is_write(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(_NOT_WRITES)


def _changed_nothing(sql: str, cursor: Any) -> bool:
    """An UPDATE or DELETE that matched no row (an INSERT's count is not known before its RETURNING
    rows are read, so an INSERT always counts as a change)."""
    return sql.lstrip().upper().startswith(("UPDATE", "DELETE")) and cursor.rowcount == 0


class WriteTracker:
    """An execute wrapper: whether anything a request wrote may have been committed."""

    def __init__(self) -> None:
        self.committed = False  # a transaction with writes committed, or a write in autocommit changed rows
        self.autocommit_write_failed = False  # a write outside a transaction failed: its outcome is unknown

    def _transaction_committed(self) -> None:
        self.committed = True

    def _registered(self, db: Any) -> bool:
        return any(callback == self._transaction_committed for _, callback, _ in db.run_on_commit)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        db = context["connection"]
        write = _is_write(sql)
        in_transaction = db.in_atomic_block
        try:
            result = execute(sql, params, many, context)
        except Exception:
            if write and not in_transaction:
                self.autocommit_write_failed = True
            raise
        if write and not _changed_nothing(sql, context["cursor"]):
            if not in_transaction:
                self.committed = True
            elif not self._registered(db):
                # Called after COMMIT succeeded only; a COMMIT that failed is seen by during_commit.
                db.on_commit(self._transaction_committed)
        return result

    def may_retry(self, exc: BaseException) -> bool:
        """Whether running the request again cannot repeat a write that the database kept."""
        return self.why_not(exc) is None

    def why_not(self, exc: BaseException) -> str | None:
        """Why the request must not run again (for the log), or None when it may."""
        committed_before = "the request had committed a write before" if self.committed else None
        if error_code(exc) == DEADLOCK:
            return committed_before  # rolled back by the server, whether at a statement or at COMMIT
        if not connection_lost(exc):
            return "not a conflict nor a lost connection"
        if during_commit(exc):
            return "the connection broke during COMMIT: the transaction may have been applied"
        if self.autocommit_write_failed:
            return "a write outside a transaction may have been applied"
        return committed_before


def _keep_body(request: HttpRequest) -> bool:
    """Read the body now so that it can be read again; False when it is too large to keep."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if length > REPLAYABLE_BODY_BYTES:
        return False
    if length:
        request.body  # noqa: B018 - Django keeps it, and serves every later read from it
    return True


class RetryOnceMiddleware:
    """Runs an /api/ request once more when its database work failed without writing anything
    (see the module's docstring); answers 503 + Retry-After for every database outage."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        replayable = _keep_body(request)
        tracker = WriteTracker()
        with connection.execute_wrapper(tracker):
            response = self.get_response(request)
            failure = getattr(request, _FAILURE, None)
            if failure is not None:
                why_not = tracker.why_not(failure) if replayable else "its body is too large to keep"
                if why_not is None:
                    logger.warning(
                        "database error before anything was written; running the request again",
                        extra={"db_error": error_code(failure)},
                    )
                    self._forget(request, failure)
                    response = self.get_response(request)
                else:
                    logger.warning(
                        "database error; not running the request again",
                        extra={"db_error": error_code(failure), "reason": why_not},
                    )
        failure = getattr(request, _FAILURE, None)
        if failure is not None and response.status_code == 500:
            response = error_response(503, message=MESSAGE)  # escaped a view: Django made it a 500
        if failure is not None and response.status_code == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A plain Django view's database outage (DRF's views answer theirs in the exception handler)."""
        if not (request.path.startswith("/api/") and is_unavailable(exc)):
            return None
        unavailable_response(exc, request)
        response = error_response(503, message=MESSAGE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @staticmethod
    def _forget(request: HttpRequest, failure: BaseException) -> None:
        """Make the request as it came in, and drop a connection that broke (then give the router a
        moment to send the next one to the new primary)."""
        delattr(request, _FAILURE)
        body = getattr(request, "_body", None)
        if body is not None:
            request._stream = io.BytesIO(body)
        if connection_lost(failure) and not connection.in_atomic_block:
            try:
                connection.close()
            except DatabaseError:
                connection.connection = None
            time.sleep(RECONNECT_PAUSE_SECONDS)
