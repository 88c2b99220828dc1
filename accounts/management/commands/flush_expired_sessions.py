from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.models import AuthSession, MFAChallenge, OutgoingMail


class Command(BaseCommand):
    help = (
        "Delete sessions that expired or were revoked more than --days ago, run simplejwt's "
        "flushexpiredtokens, and delete mails the outbox finished with more than --mail-days ago "
        "(they hold addresses), and two-factor sign-ins that expired. Run daily (the CronJob does)."
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
        # A sign-in's second step lasts minutes: any that expired is of no use to anyone.
        challenges, _ = MFAChallenge.objects.filter(expires_at__lt=timezone.now()).delete()
        # Pending mails stay whatever their age: they are still to be sent.
        mails, _ = OutgoingMail.objects.filter(
            finished_at__lt=timezone.now() - timedelta(days=mail_days)
        ).delete()
        self.stdout.write(
            f"deleted {expired + revoked} ended session(s), {mails} finished mail(s) and {challenges} "
            "expired two-factor sign-in(s); "
            "flushed expired tokens"
        )
