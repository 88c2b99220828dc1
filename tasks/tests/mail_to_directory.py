"""An e-mail backend for tests whose worker runs in other processes: each message becomes one file
in $TMS_TEST_MAIL_DIR, which the test reads back (Django's locmem outbox is per process)."""

import os
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = Path(os.environ["TMS_TEST_MAIL_DIR"])
        for message in email_messages:
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)
