"""How long notifications and delivery records are kept: read ones 90 days, unread ones a year,
the record of a finished delivery (a notification's, or a webhook's with its attempts) 30 days.
The worker purges once an hour, in batches, so the tables stay the size of recent activity."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tasks.notifications.models import Delivery, Notification
from tasks.webhooks.models import WebhookDelivery

READ_KEPT = timedelta(days=90)
UNREAD_KEPT = timedelta(days=365)
DELIVERY_KEPT = timedelta(days=30)
BATCH = 1000


def _delete_in_batches(rows: QuerySet) -> int:
    deleted = 0
    while ids := list(rows.values_list("pk", flat=True)[:BATCH]):
        rows.model.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def purge_old() -> tuple[int, int]:
    """Delete what is past keeping; returns (notifications, delivery records of both kinds) deleted."""
    now = timezone.now()
    old_notes = Notification.objects.filter(
        Q(read_at__lt=now - READ_KEPT) | Q(created_at__lt=now - UNREAD_KEPT)
    )
    notes = _delete_in_batches(old_notes)
    finished = Delivery.objects.exclude(state=Delivery.State.PENDING).filter(
        finished_at__lt=now - DELIVERY_KEPT
    )
    finished_hooks = WebhookDelivery.objects.exclude(state=WebhookDelivery.State.PENDING).filter(
        finished_at__lt=now - DELIVERY_KEPT
    )
    return notes, _delete_in_batches(finished) + _delete_in_batches(finished_hooks)
