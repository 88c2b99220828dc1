"""Notifications and delivery records are kept for a while, then purged by the worker."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.notifications.models import Delivery, Notification
from tasks.notifications.retention import purge_old

pytestmark = pytest.mark.django_db


def note(user, *, age_days: int, read_days_ago: int | None = None) -> Notification:
    now = timezone.now()
    row = Notification.objects.create(user=user, kind="assigned", payload={"title": f"{age_days} days"})
    read_at = now - timedelta(days=read_days_ago) if read_days_ago is not None else None
    Notification.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age_days), read_at=read_at)
    return row


def delivery(notification: Notification, state: str, finished_days_ago: int | None) -> Delivery:
    now = timezone.now()
    finished = now - timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    return Delivery.objects.create(
        notification=notification, channel="email", state=state, next_attempt_at=now, finished_at=finished
    )


@freeze_time("2027-06-01 12:00:00")
def test_read_notifications_go_after_90_days_unread_after_a_year_finished_deliveries_after_30():
    ada = UserFactory(username="ada")
    kept_read = note(ada, age_days=100, read_days_ago=89)
    gone_read = note(ada, age_days=100, read_days_ago=91)
    kept_unread = note(ada, age_days=364)
    gone_unread = note(ada, age_days=366)
    fresh = note(ada, age_days=1)
    sent_long_ago = delivery(fresh, Delivery.State.SENT, finished_days_ago=31)
    sent_lately = delivery(fresh, Delivery.State.SENT, finished_days_ago=29)
    failed_long_ago = delivery(fresh, Delivery.State.FAILED, finished_days_ago=40)
    pending = delivery(kept_unread, Delivery.State.PENDING, finished_days_ago=None)
    delivery(gone_unread, Delivery.State.PENDING, finished_days_ago=None)  # goes with its notification

    assert purge_old() == (2, 2)

    assert set(Notification.objects.values_list("pk", flat=True)) == {kept_read.pk, kept_unread.pk, fresh.pk}
    assert set(Delivery.objects.values_list("pk", flat=True)) == {sent_lately.pk, pending.pk}
    assert not Notification.objects.filter(pk__in=[gone_read.pk, gone_unread.pk]).exists()
    assert not Delivery.objects.filter(pk__in=[sent_long_ago.pk, failed_long_ago.pk]).exists()
    assert purge_old() == (0, 0)
