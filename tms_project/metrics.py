"""TMS's own Prometheus metrics (besides django-prometheus' HTTP ones).

Every label value is created up front so each series exists from the first
scrape, and alert expressions never see "no data" instead of zero.
"""

import os

from prometheus_client import Counter, Gauge, Histogram

# In multiprocess mode every process writes its samples under this directory. gunicorn
# creates it at start; a management command in a fresh pod (migrations, cron jobs) may
# run first, so make sure it exists before the first sample is written.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

LOGINS = Counter("tms_auth_logins", "Sign-in attempts, by outcome.", ["outcome"])
RATE_LIMITED = Counter("tms_ratelimit_rejections", "Requests refused by a rate limit, by limit.", ["limit"])
MAILS = Counter("tms_mails", "Mails from the outbox, by outcome.", ["outcome"])
TASKS_CREATED = Counter("tms_tasks_created", "Tasks created, by source.", ["source"])
# Notifications, exported by the worker (manage.py deliver_notifications) on its own port.
NOTIFICATIONS_SENT = Counter("tms_notifications_sent", "Notifications delivered, by channel.", ["channel"])
NOTIFICATIONS_FAILED = Counter(
    "tms_notifications_failed",
    "Notification deliveries given up after the last retry, by channel.",
    ["channel"],
)
NOTIFICATION_LAG = Gauge(
    "tms_notification_lag_seconds",
    "Age of the oldest due reminder or delivery not yet sent (0 when none).",
    multiprocess_mode="max",
)

# Database and cache (tms_project.db.instrumented, tms_project.cache). Labels are a connection's
# alias and vendor and a fixed set of names: never SQL text, parameters or cache keys.
DB_QUERY_SECONDS = Histogram(
    "tms_db_query_duration_seconds",
    "Time of each SQL statement (an executemany batch counts once), by database alias and vendor.",
    ["alias", "vendor"],
    # Indexed statements take well under a millisecond; the alert looks at 100 ms (docs/operations.md).
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_ERRORS = Counter(
    "tms_db_errors",
    "SQL statements that raised, by database alias, vendor and Django exception class (type).",
    ["alias", "vendor", "type"],
)
# What DB_ERRORS' type can be: django.db's exception classes, and "other" for anything else.
# MySQL's deadlock (1213, also Galera's certification conflict) and lock wait timeout (1205): raised
# as OperationalError, counted apart, since they say nothing about the connection.
DB_LOCK_CONFLICT_CODES = frozenset({1205, 1213})
DB_ERROR_TYPES = (
    "LockConflict",
    "OperationalError",
    "InterfaceError",
    "IntegrityError",
    "DataError",
    "ProgrammingError",
    "NotSupportedError",
    "InternalError",
    "DatabaseError",
    "other",
)
DB_CONNECTIONS = Counter(
    "tms_db_connections", "Database connections opened, by database alias and vendor.", ["alias", "vendor"]
)
DB_CONNECTION_ERRORS = Counter(
    "tms_db_connection_errors",
    "Database connections that could not be opened (refused, unreachable, wrong password...).",
    ["alias", "vendor"],
)
# Reads that failed on the read replica and ran again on the primary (tms_project.db.replica_router).
DB_REPLICA_FALLBACKS = Counter(
    "tms_db_replica_fallbacks", "Reads that failed on the read replica and were answered from the primary."
)
CACHE_GETS = Counter("tms_cache_gets", "Cache reads (get), by result: hit, miss or error.", ["result"])

for _outcome in ("success", "failure", "throttled", "mfa_required", "mfa_failure"):
    LOGINS.labels(_outcome)
for _limit in (
    "login_ip",
    "login_ip_failed",
    "login_account",
    "login_account_all",
    "login_device",
    "admin_login_account",
    "admin_login_account_all",
    "account_change",
    "register_ip",
    "refresh_ip",
    "refresh_session",
    "reset_ip",
    "reset_account",
    "password_account",
    "admin_login_ip",
    "admin_login_ip_failed",
    "calendar_feed",
    "calendar_feed_ip",
):
    RATE_LIMITED.labels(_limit)
for _outcome in ("sent", "skipped", "retried", "failed"):
    MAILS.labels(_outcome)
for _source in ("api", "import"):
    TASKS_CREATED.labels(_source)
for _channel in ("email", "push"):
    NOTIFICATIONS_SENT.labels(_channel)
    NOTIFICATIONS_FAILED.labels(_channel)
for _result in ("hit", "miss", "error"):
    CACHE_GETS.labels(_result)
