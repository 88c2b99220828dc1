from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.models import AuthSession, OutgoingMail


class Command(BaseCommand):
    help = (
        "Delete sessions that expired or were revoked more than --days ago, run simplejwt's "
        "flushexpiredtokens, and delete mails the outbox finished with more than --mail-days ago "
        "(they hold addresses). Run daily (the CronJob does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=7, help="keep ended sessions this many days (default 7)"
        )
        parser.add_argument(
            "--mail-days",
            type=int,
            default=30,
            help="keep sent, skipped and failed mails this many days (30)",
        )

    def handle(self, *args: Any, days: int, mail_days: int, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=days)
        expired, _ = AuthSession.objects.filter(expires_at__lt=cutoff).delete()
        revoked, _ = AuthSession.objects.filter(revoked_at__lt=cutoff).delete()
        call_command("flushexpiredtokens")
        # Pending mails stay whatever their age: they are still to be sent.
        mails, _ = OutgoingMail.objects.filter(
            finished_at__lt=timezone.now() - timedelta(days=mail_days)
        ).delete()
        self.stdout.write(
            f"deleted {expired + revoked} ended session(s) and {mails} finished mail(s); "
            "flushed expired tokens"
        )
