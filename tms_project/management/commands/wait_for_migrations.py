"""Block until the database answers and every migration is applied (pods wait; the Job migrates)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(BaseCommand):
    help = "Wait until the database is reachable and fully migrated; exit 1 after --timeout seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=600)
        parser.add_argument("--interval", type=float, default=3)

    def handle(self, *args: Any, timeout: float, interval: float, **options: Any) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                pending = pending_migrations()
                state = f"{pending} migration(s) pending"
            except DatabaseError as exc:
                connection.close()
                pending, state = -1, f"database unreachable ({type(exc).__name__})"
            if pending == 0:
                self.stdout.write("database ready, migrations applied")
                return
            if time.monotonic() >= deadline:
                raise CommandError(f"gave up after {timeout:.0f}s: {state}")
            self.stdout.write(f"waiting: {state}")
            time.sleep(interval)
