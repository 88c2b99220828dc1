"""Sending webhook deliveries: the notification worker's third job (tasks.notifications.deliver).

Each due delivery is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (tms_project.outbox)
and its attempt recorded in the transaction that holds the claim. A worker that dies mid-request
commits nothing: the delivery is still pending and the next worker sends it again, with the same
``webhook-id`` — delivery is at least once, and receivers drop duplicates by that id.

An attempt is a POST of the payload, signed per Standard Webhooks, to the endpoint's URL after
its address is checked again (the name may resolve elsewhere since registration: DNS rebinding),
to a connection whose peer address is checked once more (tasks.notifications.outbound); no
redirect is followed (a 3xx is a failure), the connection and each read time out after
``TIMEOUT`` seconds and at most ``MAX_RESPONSE`` bytes of the answer are read. A 2xx is success.

A failure is retried after ``RETRY_DELAYS`` (about 27 hours in all); a delivery that fails them
all adds one to its endpoint's ``consecutive_failures`` (a success resets it). At
``DISABLE_AFTER``, or when no attempt at the endpoint succeeded for a day, the endpoint is turned
off and its owner told (in TMS, and by e-mail or push per their settings).
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from prometheus_client import Counter

from tasks.notifications import activity
from tasks.notifications.models import Notification
from tasks.notifications.outbound import UnsafeURL, check_url, safe_session
from tasks.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from tasks.webhooks.signing import signed_headers
from tms_project.outbox import drain

logger = logging.getLogger("tms.webhooks")

# After the first attempt (at once) fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER = 5  # deliveries in a row that ran out of retries
FAILING_FOR = timedelta(hours=24)  # no success for this long, and a delivery ran out: turned off
TIMEOUT = 5.0  # seconds, to connect and for each read
MAX_RESPONSE = 64 * 1024  # bytes of an answer read at most; the rest is left unread
USER_AGENT = "TMS-Webhooks/1"
ADDRESS_REFUSED = "address not allowed"

OUTCOMES = ("succeeded", "http_error", "timeout", "refused", "error")
ATTEMPTS = Counter("tms_webhook_attempts", "Webhook delivery attempts, by outcome.", ["outcome"])
for _outcome in OUTCOMES:  # every series exists from the first scrape (tms_project.metrics)
    ATTEMPTS.labels(_outcome)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    label: str  # the metric's outcome

    @property
    def ok(self) -> bool:
        return self.label == "succeeded"


def private_allowed() -> bool:
    """TMS_WEBHOOK_ALLOW_PRIVATE (development and tests): loopback, private addresses and http."""
    return bool(settings.TMS_WEBHOOK_ALLOW_PRIVATE)


def check_endpoint(url: str) -> str:
    """``url`` if webhooks may be sent there now; UnsafeURL saying why not."""
    allowed = private_allowed()
    return check_url(url, allow_private=allowed, allow_http=allowed)


def body_of(delivery: WebhookDelivery) -> str:
    """The request body: the payload as compact JSON (what is signed is exactly what is sent)."""
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)


def _excerpt(response: requests.Response, deadline: float) -> str:
    """Read at most MAX_RESPONSE bytes of the answer (and stop at the deadline); its first words."""
    read = bytearray()
    for chunk in response.iter_content(8192):
        read += chunk
        if len(read) >= MAX_RESPONSE or time.monotonic() > deadline:
            break
    text = read[:80].decode("utf-8", "replace")
    return " ".join(text.split())


def send(webhook: Webhook, delivery: WebhookDelivery) -> Outcome:
    """One attempt: POST the signed payload; what came of it. Never raises for the receiver's sake."""
    try:
        check_endpoint(webhook.url)
    except UnsafeURL:
        return Outcome(None, ADDRESS_REFUSED, "refused")
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signed_headers(webhook.secret, delivery.message_id, body, timezone.now()),
    }
    allowed = private_allowed()
    deadline = time.monotonic() + TIMEOUT
    try:
        with safe_session(allow_private=allowed, allow_http=allowed) as session:
            response = session.post(
                webhook.url,
                data=body.encode(),
                headers=headers,
                timeout=(TIMEOUT, TIMEOUT),
                allow_redirects=False,
                stream=True,
            )
            with response:
                excerpt = _excerpt(response, deadline)
    except requests.TooManyRedirects as exc:  # safe_session allows none: a 3xx ends here
        status = exc.response.status_code if exc.response is not None else None
        if exc.response is not None:
            exc.response.close()
        return Outcome(status, f"HTTP {status}: redirects are not followed", "http_error")
    except requests.Timeout:
        return Outcome(None, "timed out", "timeout")
    except requests.ConnectionError as exc:
        if "not on the public internet" in str(exc):
            return Outcome(None, ADDRESS_REFUSED, "refused")
        return Outcome(None, "could not connect", "error")
    except requests.RequestException as exc:
        return Outcome(None, type(exc).__name__, "error")
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(status, "", "succeeded")
    if 300 <= status < 400:
        return Outcome(status, f"HTTP {status}: redirects are not followed", "http_error")
    return Outcome(status, f"HTTP {status}: {excerpt}".strip().rstrip(":"), "http_error")


def _finish(delivery: WebhookDelivery, state: str) -> None:
    delivery.state = state
    delivery.finished_at = timezone.now()
    delivery.save(update_fields=["state", "finished_at", "attempts", "next_attempt_at"])


def disable(webhook: Webhook, reason: str) -> None:
    """Turn the endpoint off and tell its owner; its pending deliveries fail when next claimed."""
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=False, disabled_at=now, disabled_reason=reason[:200], updated_at=now
    )
    webhook.is_active, webhook.disabled_at, webhook.disabled_reason = False, now, reason[:200]
    logger.warning("webhook disabled", extra={"webhook": webhook.pk, "reason": reason})
    host = urlsplit(webhook.url).hostname or ""
    activity.notify(
        Notification.Kind.WEBHOOK_DISABLED,
        [webhook.owner_id],
        payload={"webhook": webhook.pk, "host": host, "description": webhook.description, "reason": reason},
    )


def _ran_out(webhook: Webhook) -> None:
    """A delivery failed its last retry: count it, and turn the endpoint off when it keeps failing."""
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    webhook.refresh_from_db(fields=["consecutive_failures", "is_active"])
    if not webhook.is_active:
        return
    if webhook.consecutive_failures >= DISABLE_AFTER:
        disable(webhook, f"{webhook.consecutive_failures} deliveries in a row failed every retry.")
        return
    succeeded_lately = WebhookAttempt.objects.filter(
        delivery__webhook_id=webhook.pk,
        started_at__gte=timezone.now() - FAILING_FOR,
        status_code__gte=200,
        status_code__lt=300,
    ).exists()
    if not succeeded_lately:
        disable(webhook, "Every delivery attempt failed for 24 hours.")


def attempt(delivery: WebhookDelivery) -> None:
    """Send one claimed delivery and record how it went (in the claim's transaction)."""
    webhook = Webhook.objects.select_related("owner").filter(pk=delivery.webhook_id).first()
    if webhook is None:  # deleted since the claim was made; the cascade takes the delivery too
        return
    started, clock = timezone.now(), time.monotonic()
    if not webhook.is_active:
        outcome = Outcome(None, "endpoint disabled", "disabled")
    elif not webhook.owner.is_active:  # deactivated since the event was queued
        outcome = Outcome(None, "account deactivated", "disabled")
    else:
        outcome = send(webhook, delivery)
        delivery.attempts += 1
        ATTEMPTS.labels(outcome.label).inc()
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started,
        duration_ms=int((time.monotonic() - clock) * 1000),
        status_code=outcome.status_code,
        error=outcome.error[:200],
    )
    if outcome.ok:
        _finish(delivery, WebhookDelivery.State.SUCCEEDED)
        if webhook.consecutive_failures:
            Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return
    if outcome.label == "disabled":
        _finish(delivery, WebhookDelivery.State.FAILED)
        return
    logger.info(
        "webhook not delivered",
        extra={"delivery": delivery.pk, "attempt": delivery.attempts, "error": outcome.error},
    )
    if delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, WebhookDelivery.State.FAILED)
        _ran_out(webhook)
        return
    delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(update_fields=["attempts", "next_attempt_at"])


def _no_progress() -> None:
    pass


def deliver_due(limit: int = 50, progress: Callable[[], None] = _no_progress) -> int:
    """Send up to ``limit`` due deliveries, one per transaction; how many were handled."""
    pending = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING)
    ordered = pending.order_by("next_attempt_at", "pk")
    due = lambda: ordered.filter(next_attempt_at__lte=timezone.now())  # noqa: E731 - read at each claim
    return drain(due, attempt, limit=limit, progress=progress)
