from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.models import AuthSession


class Command(BaseCommand):
    help = (
        "Delete sessions that expired or were revoked more than --days ago, then run simplejwt's "
        "flushexpiredtokens. Run daily (the CronJob does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=7, help="keep ended sessions this many days (default 7)"
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=days)
        expired, _ = AuthSession.objects.filter(expires_at__lt=cutoff).delete()
        revoked, _ = AuthSession.objects.filter(revoked_at__lt=cutoff).delete()
        call_command("flushexpiredtokens")
        self.stdout.write(f"deleted {expired + revoked} ended session(s); flushed expired tokens")
