"""Webhook endpoints of one person: register, change, remove, test, look at and redeliver.

Everything is the owner's own: another person's endpoint or delivery is not found. A URL is
checked (tasks.webhooks.deliver.check_endpoint: https, a public address) when registered or
changed, and again before each attempt. The secret is made here and returned once, by create.
Whenever the account's events start going to a new URL, its owner is told (in the app and by
e-mail).
"""

from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from tasks.errors import QuotaExceeded, TaskInvalid
from tasks.notifications import activity
from tasks.notifications.models import Notification
from tasks.notifications.outbound import UnsafeURL
from tasks.services import quotas
from tasks.webhooks import events
from tasks.webhooks.deliver import check_endpoint
from tasks.webhooks.errors import WebhookDisabled, WebhookNotFound
from tasks.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from tasks.webhooks.signing import new_secret

QUOTA_MESSAGE = f"You have the most webhooks there may be ({Webhook.MAX_PER_USER}); delete one first."
TURNED_OFF_BY_OWNER = "Turned off by its owner."


def webhook_list(*, user_id: int) -> QuerySet[Webhook]:
    return Webhook.objects.filter(owner_id=user_id).defer("secret").order_by("pk")


def webhook_get(*, user_id: int, webhook_id: int, lock: bool = False) -> Webhook:
    rows = Webhook.objects.select_for_update() if lock else Webhook.objects
    webhook = rows.filter(owner_id=user_id, pk=webhook_id).first()
    if webhook is None:
        raise WebhookNotFound
    return webhook


def _checked(url: str) -> str:
    try:
        return check_endpoint(url)
    except UnsafeURL as exc:
        raise TaskInvalid({"url": [str(exc)]}) from exc


def _ensure_room(user_id: int) -> None:
    if Webhook.objects.filter(owner_id=user_id).count() >= Webhook.MAX_PER_USER:
        raise QuotaExceeded(QUOTA_MESSAGE)


def _tell_owner_where_events_go(webhook: Webhook) -> None:
    """A security notice, in the app and by e-mail: the account's task events now go to a new URL.

    An access token is enough to add a webhook (the task service checks no password), so someone
    who copied one for its few minutes could set up a lasting copy of the account's events; the
    notice lets the owner see it and delete it.
    """
    host = urlsplit(webhook.url).hostname or ""
    activity.notify(
        Notification.Kind.WEBHOOK_ADDED,
        [webhook.owner_id],
        payload={"webhook": webhook.pk, "host": host, "description": webhook.description},
    )


def webhook_create(*, user_id: int, url: str, events: list[str], description: str = "") -> Webhook:
    """A new endpoint with a new secret (on the returned object; stored, and shown only now)."""
    _ensure_room(user_id)  # before the name is looked up: a full account answers the same for any URL
    _checked(url)
    with transaction.atomic():
        quotas.lock_owner(user_id)  # two creates at once count one after the other
        _ensure_room(user_id)
        webhook = Webhook.objects.create(
            owner_id=user_id, url=url, events=events, description=description, secret=new_secret()
        )
        _tell_owner_where_events_go(webhook)
        return webhook


def webhook_update(*, user_id: int, webhook_id: int, data: dict[str, Any]) -> Webhook:
    """Change the URL, events, description, or turn it on (which forgets past failures) or off."""
    if "url" in data:
        _checked(data["url"])
    with transaction.atomic():
        webhook = webhook_get(user_id=user_id, webhook_id=webhook_id, lock=True)
        # Any new URL, the same host's included: one receiver host (hooks.example.com/catch/<someone>)
        # may serve many people.
        moved = "url" in data and data["url"] != webhook.url
        for name in ("url", "events", "description"):
            if name in data:
                setattr(webhook, name, data[name])
        active = data.get("is_active")
        if active is True:
            webhook.is_active, webhook.disabled_at, webhook.disabled_reason = True, None, ""
            webhook.consecutive_failures = 0
        elif active is False and webhook.is_active:
            webhook.is_active, webhook.disabled_at = False, timezone.now()
            webhook.disabled_reason = TURNED_OFF_BY_OWNER
        webhook.save()
        if moved:
            _tell_owner_where_events_go(webhook)
        return webhook


@transaction.atomic
def webhook_delete(*, user_id: int, webhook_id: int) -> None:
    """Remove it with its deliveries (pending ones are not sent)."""
    webhook_get(user_id=user_id, webhook_id=webhook_id, lock=True).delete()


@transaction.atomic
def webhook_ping(*, user_id: int, webhook_id: int) -> WebhookDelivery:
    webhook = webhook_get(user_id=user_id, webhook_id=webhook_id)
    if not webhook.is_active:
        raise WebhookDisabled
    return events.ping(webhook)


def _latest(field: str) -> Subquery:
    attempts = WebhookAttempt.objects.filter(delivery=OuterRef("pk")).order_by("-pk")
    return Subquery(attempts.values(field)[:1])


def deliveries_of(*, user_id: int, webhook_id: int) -> QuerySet[WebhookDelivery]:
    """The endpoint's deliveries with their last attempt's answer (one query for a page)."""
    webhook = webhook_get(user_id=user_id, webhook_id=webhook_id)
    return WebhookDelivery.objects.filter(webhook=webhook).annotate(
        last_status_code=_latest("status_code"), last_error=_latest("error")
    )


def delivery_get(*, user_id: int, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    delivery = deliveries_of(user_id=user_id, webhook_id=webhook_id).filter(pk=delivery_id).first()
    if delivery is None:
        raise WebhookNotFound
    return delivery


def redeliver(*, user_id: int, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    """Send it again now, with the same message id, and a full schedule of retries."""
    with transaction.atomic():
        webhook = webhook_get(user_id=user_id, webhook_id=webhook_id)
        if not webhook.is_active:
            raise WebhookDisabled
        # Waits for a worker sending it right now; redelivering it after that is what was asked.
        row = WebhookDelivery.objects.select_for_update().filter(webhook=webhook, pk=delivery_id).first()
        if row is None:
            raise WebhookNotFound
        row.state, row.attempts, row.finished_at = WebhookDelivery.State.PENDING, 0, None
        row.next_attempt_at = timezone.now()
        row.save(update_fields=["state", "attempts", "finished_at", "next_attempt_at"])
    return delivery_get(user_id=user_id, webhook_id=webhook_id, delivery_id=delivery_id)
