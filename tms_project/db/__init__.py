"""Database backends that export query, error and connection metrics (tms_project.metrics).

settings.py names ``tms_project.db.backends.mysql`` or ``...sqlite3`` as the ENGINE instead of
Django's: each is Django's backend with :class:`tms_project.db.instrumented.InstrumentedDatabaseWrapper`
in front, so everything else about the connection is Django's own.
"""
