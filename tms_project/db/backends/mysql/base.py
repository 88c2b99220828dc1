"""Django's MySQL/MariaDB backend, with metrics (tms_project.db.instrumented)."""

from django.db.backends.mysql import base

from tms_project.db.instrumented import InstrumentedDatabaseWrapper


class DatabaseWrapper(InstrumentedDatabaseWrapper, base.DatabaseWrapper):
    pass
