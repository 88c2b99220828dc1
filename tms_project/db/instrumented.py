"""What every database connection of TMS counts: statements, their time and errors, connections.

One statement is one observation of ``tms_db_query_duration_seconds`` (an ``executemany`` batch is
one too); a statement that raises also counts in ``tms_db_errors_total`` under the class name of the
exception Django raised (``OperationalError``, ``IntegrityError``...: a fixed set, never the SQL or
its message), a deadlock or lock wait timeout under ``LockConflict``. Opening a connection counts
in ``tms_db_connections_total``, or in ``tms_db_connection_errors_total`` when the server refuses or
cannot be reached: those happen before any statement, so only the backend itself sees them, which
is why this is a backend and not only an execute wrapper installed from a signal.

Labels are the connection's alias and vendor, resolved once per connection object, so a statement
costs two clock reads and one histogram observation (docs/performance.md).
"""

import time
from collections.abc import Callable
from typing import Any

from django import db
from django.db.backends.base.base import BaseDatabaseWrapper

from tms_project.metrics import (
    DB_CONNECTION_ERRORS,
    DB_CONNECTIONS,
    DB_ERROR_TYPES,
    DB_ERRORS,
    DB_LOCK_CONFLICT_CODES,
    DB_QUERY_SECONDS,
)


class InstrumentedDatabaseWrapper(BaseDatabaseWrapper):
    """Put in front of a Django backend's DatabaseWrapper (tms_project/db/backends/*/base.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = (self.alias, self.vendor)
        self._query_seconds = DB_QUERY_SECONDS.labels(*labels)
        self._errors = {name: DB_ERRORS.labels(*labels, name) for name in DB_ERROR_TYPES}
        self._connections = DB_CONNECTIONS.labels(*labels)
        self._connection_errors = DB_CONNECTION_ERRORS.labels(*labels)
        # First in the list: wrappers a caller adds with connection.execute_wrapper() are removed
        # from its end, and run inside this one.
        self.execute_wrappers.insert(0, self._measure)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        try:
            connection = super().get_new_connection(conn_params)
        except Exception:
            self._connection_errors.inc()
            raise
        self._connections.inc()
        return connection

    def _measure(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception as exc:
            # Django has already turned the driver's exception into its own (django.db.utils).
            name = type(exc).__name__ if isinstance(exc, db.Error) else "other"
            if name == "OperationalError" and exc.args and exc.args[0] in DB_LOCK_CONFLICT_CODES:
                name = "LockConflict"
            self._errors.get(name, self._errors["other"]).inc()
            raise
        finally:
            self._query_seconds.observe(time.perf_counter() - started)
