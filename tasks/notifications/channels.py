"""Sending one notification to one person by e-mail or Web Push.

Each sender returns ``SENT`` or ``SKIPPED`` (nothing to send after all: push is not set up,
or every subscription is gone) and raises ``SendFailed`` when the attempt should be
retried. Error texts name a status or an exception type, never an endpoint, a key or a
mail server's answer with addresses in it.
"""

import functools
import json
import logging
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from tasks.notifications import texts
from tasks.notifications.models import Delivery, Notification, PushSubscription
from tasks.notifications.outbound import UnsafeURL, safe_session
from tasks.notifications.push_services import check_endpoint

logger = logging.getLogger("tms.notifications")


class Recipient(Protocol):
    """What sending needs of a person (the accounts app's User; the task service does not import it)."""

    pk: Any
    email: str
    time_zone: str
    is_active: bool


SENT, SKIPPED = Delivery.State.SENT, Delivery.State.SKIPPED
PUSH_TIMEOUT_SECONDS = 5
PUSH_TTL_SECONDS = 24 * 3600  # a phone that is off for a day still gets it
GONE = (404, 410)  # the push service says the subscription no longer exists


class SendFailed(Exception):
    """This attempt failed; try again later."""


def send_email(note: Notification, user: Recipient) -> str:
    if not user.email:
        return SKIPPED
    said = texts.message(note, user.time_zone)
    EmailMessage(
        subject=said.title,
        body=texts.email_body(note, user.time_zone),
        to=[user.email],
        # RFC 3834: mail servers and autoresponders do not answer it (no out-of-office replies).
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    return SENT


def push_enabled() -> bool:
    return bool(settings.TMS_VAPID_PUBLIC_KEY and settings.TMS_VAPID_PRIVATE_KEY)


@functools.lru_cache(maxsize=2)
def _vapid(private_key: str) -> Vapid:
    return Vapid.from_string(private_key=private_key)


def push_payload(note: Notification, user: Recipient) -> str:
    said = texts.message(note, user.time_zone)
    return json.dumps({"title": said.title, "body": said.body, "url": said.url, "tag": said.tag})


def _push_one(subscription: PushSubscription, data: str, session: requests.Session) -> None:
    """Send to one subscription; raise SendFailed, or WebPushException with the service's answer."""
    try:
        check_endpoint(subscription.endpoint)  # again now: the name may resolve elsewhere than at sign-up
    except UnsafeURL as exc:
        raise SendFailed(f"endpoint refused: {exc}") from exc
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=data,
            vapid_private_key=_vapid(settings.TMS_VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.TMS_VAPID_SUBJECT},
            timeout=PUSH_TIMEOUT_SECONDS,
            ttl=PUSH_TTL_SECONDS,
            requests_session=session,
        )
    except requests.RequestException as exc:
        raise SendFailed(f"push service unreachable: {type(exc).__name__}") from exc


def send_push(note: Notification, user: Recipient) -> str:
    """Push to each of the person's browsers: sent when one got it; a gone subscription is deleted."""
    if not push_enabled():
        return SKIPPED
    subscriptions = list(PushSubscription.objects.filter(user_id=user.pk).order_by("pk"))
    data = push_payload(note, user)
    sent, errors = 0, []
    with safe_session() as session:
        for subscription in subscriptions:
            try:
                _push_one(subscription, data, session)
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status in GONE:
                    logger.info("push subscription gone", extra={"subscription": subscription.pk})
                    subscription.delete()
                    continue
                errors.append(f"push service answered {status}")
            except SendFailed as exc:
                errors.append(str(exc))
            else:
                sent += 1
                subscription.last_success_at = timezone.now()
                subscription.save(update_fields=["last_success_at"])
    if sent:
        return SENT
    if errors:
        raise SendFailed("; ".join(errors))
    return SKIPPED


SENDERS = {Delivery.Channel.EMAIL: send_email, Delivery.Channel.PUSH: send_push}
