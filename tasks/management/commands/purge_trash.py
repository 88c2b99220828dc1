from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tasks.services.idempotency import purge_expired_keys
from tasks.services.projects import project_purge_older_than
from tasks.services.tasks import trash_purge_older_than


class Command(BaseCommand):
    help = (
        "Delete tasks and projects trashed more than --days ago (default 30) and expired"
        " idempotency keys. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=30, help="keep trashed tasks this many days (default 30)"
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            raise SystemExit(2)
        projects = project_purge_older_than(days=days)
        tasks = trash_purge_older_than(days=days)
        keys = purge_expired_keys()
        self.stdout.write(
            f"purged {projects} trashed project(s), {tasks} trashed task(s)"
            f" and {keys} expired idempotency key(s)"
        )
