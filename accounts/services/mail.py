"""Mail through the outbox: queued with the change it tells about, delivered out of band.

``mail_enqueue`` only writes a row, inside the caller's transaction, so a mail
is sent exactly when its change commits, and no response waits for a mail
server. ``mail_deliver_due`` claims due rows one at a time with
``SELECT ... FOR UPDATE SKIP LOCKED`` (several auth pods never send one row
twice), renders the message from the row's kind at that moment (links are
signed then, never stored) and records the outcome; a failed send is retried
with backoff, and given up after ``MAX_ATTEMPTS``.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import close_old_connections
from django.utils import timezone

from accounts.models import OutgoingMail
from tms_project.metrics import MAILS
from tms_project.outbox import drain

logger = logging.getLogger("tms.mail")

MAX_ATTEMPTS = 8  # backoff 1, 2, 4 ... 64 minutes: about two hours of mail server trouble
Renderer = Callable[[dict], EmailMessage | None]
_RENDERERS: dict[str, Renderer] = {}


def mail_kind(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that turns a payload of ``kind`` into a message (or None: nothing to send)."""

    def register(render: Renderer) -> Renderer:
        _RENDERERS[kind] = render
        return render

    return register


def message(*, to: str, subject: str, body: str) -> EmailMessage:
    return EmailMessage(subject=subject, body=body, to=[to])


def mail_enqueue(*, kind: str, **payload: object) -> OutgoingMail:
    if kind not in _RENDERERS:
        raise ValueError(f"no mail of kind {kind!r}")
    return OutgoingMail.objects.create(kind=kind, payload=payload, next_attempt_at=timezone.now())


def _finish(mail: OutgoingMail, state: str, error: str = "") -> None:
    mail.state = state
    mail.finished_at = timezone.now()
    mail.last_error = error[:200]
    mail.save(update_fields=["state", "finished_at", "last_error", "attempts"])


def _deliver(mail: OutgoingMail) -> None:
    mail.attempts += 1
    try:
        email = _RENDERERS[mail.kind](mail.payload)
        if email is None:
            _finish(mail, OutgoingMail.State.SKIPPED)
            MAILS.labels("skipped").inc()
            return
        email.send()
    except Exception as exc:  # noqa: BLE001 - any mail server or rendering failure is retried
        error = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "mail not sent", extra={"mail": mail.pk, "kind": mail.kind, "error": type(exc).__name__}
        )
        if mail.attempts >= MAX_ATTEMPTS:
            _finish(mail, OutgoingMail.State.FAILED, error)
            MAILS.labels("failed").inc()
            return
        mail.next_attempt_at = timezone.now() + timedelta(minutes=2 ** (mail.attempts - 1))
        mail.last_error = error[:200]
        mail.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        MAILS.labels("retried").inc()
        return
    _finish(mail, OutgoingMail.State.SENT)
    MAILS.labels("sent").inc()


def mail_deliver_due(*, limit: int = 50) -> int:
    """Deliver up to ``limit`` due mails; returns how many were handled."""
    pending = OutgoingMail.objects.filter(state=OutgoingMail.State.PENDING).order_by("next_attempt_at", "pk")
    return drain(lambda: pending.filter(next_attempt_at__lte=timezone.now()), _deliver, limit=limit)


def _deliver_forever(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            mail_deliver_due()
        except Exception:  # a database hiccup must not end the thread
            logger.exception("mail delivery round failed")
        finally:
            close_old_connections()


_thread: threading.Thread | None = None
_stop = threading.Event()


def mail_delivery_start(interval: float | None = None) -> None:
    """Deliver due mails from a daemon thread of this process (the auth service's workers)."""
    global _thread
    if _thread is not None or not settings.TMS_MAIL_DELIVERY_THREAD:
        return
    seconds = interval if interval is not None else settings.TMS_MAIL_DELIVERY_SECONDS
    _thread = threading.Thread(target=_deliver_forever, args=(_stop, seconds), name="tms-mail", daemon=True)
    _thread.start()
