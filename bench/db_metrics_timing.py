"""What the database metrics cost per statement (tms_project.db), next to Django's backend alone.

`python -m bench.db_metrics_timing [--statements N] [--rounds R]` with DATABASE_URL naming the
database (default: a throwaway SQLite file). Metrics are in multiprocess mode, as under gunicorn
(each sample goes to a memory-mapped file). In one process it runs ``SELECT 1`` through a new
cursor per statement, as the ORM does, on three connections to the same database:

- ``django``: Django's own backend (TMS_DB_METRICS=false);
- ``tms``: tms_project.db's backend (what TMS runs);
- ``django_prometheus``: django-prometheus' backend, for comparison.

It prints microseconds per statement (the median of the rounds) and each one's overhead over Django's.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

ENGINES = {
    "django": "django.db.backends.{vendor}",
    "tms": "tms_project.db.backends.{vendor}",
    "django_prometheus": "django_prometheus.db.backends.{vendor}",
}


def setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/tms-db-metrics-timing.sqlite3"
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tms-db-metrics-timing-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tms_project.settings")
    os.environ.setdefault("TMS_LOG_LEVEL", "WARNING")
    import django
    from django.conf import settings

    django.setup()
    default = settings.DATABASES["default"]
    vendor = default["ENGINE"].rsplit(".", 1)[1]
    for alias, engine in ENGINES.items():  # before the first use of django.db.connections
        settings.DATABASES[alias] = {**default, "ENGINE": engine.format(vendor=vendor)}
    return vendor


def per_statement_us(alias: str, statements: int) -> float:
    from django.db import connections

    connection = connections[alias]
    connection.ensure_connection()
    started = time.perf_counter_ns()
    for _ in range(statements):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    return (time.perf_counter_ns() - started) / statements / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    vendor = setup()
    for alias in ENGINES:  # warm up each connection
        per_statement_us(alias, 500)
    rounds: dict[str, list[float]] = {alias: [] for alias in ENGINES}
    for _ in range(args.rounds):  # interleaved, so a busy moment of the machine touches all three
        for alias in ENGINES:
            rounds[alias].append(per_statement_us(alias, args.statements))
    base = statistics.median(rounds["django"])
    print(f"{vendor}: SELECT 1 through a new cursor, {args.statements} x {args.rounds} rounds (median)")
    for alias, samples in rounds.items():
        median = statistics.median(samples)
        print(f"  {alias:<18} {median:7.2f} µs/statement  (+{median - base:5.2f} µs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
