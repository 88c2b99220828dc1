"""Send the mails the outbox holds (the auth service does this by itself every few seconds)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.services.mail import mail_deliver_due


class Command(BaseCommand):
    help = "Deliver due mails from the outbox; --loop keeps going until interrupted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep delivering every --interval seconds")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, loop: bool, interval: float, **options: Any) -> None:
        while True:
            handled = mail_deliver_due()
            if not loop:
                self.stdout.write(f"{handled} mail(s) handled")
                return
            time.sleep(interval)
