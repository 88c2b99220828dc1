"""Django's SQLite backend, with metrics (tms_project.db.instrumented)."""

from django.db.backends.sqlite3 import base

from tms_project.db.instrumented import InstrumentedDatabaseWrapper


class DatabaseWrapper(InstrumentedDatabaseWrapper, base.DatabaseWrapper):
    pass
