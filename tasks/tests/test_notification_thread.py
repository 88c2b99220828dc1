"""With every route in one process (`make run`), a reminder arrives without a worker beside it."""

import threading
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.notifications import thread as notification_thread
from tasks.notifications.models import Notification
from tests.support.clients import client_for


def test_the_thread_reminds_without_anyone_asking(settings, transactional_db):
    settings.TMS_NOTIFICATION_THREAD = True
    ada = UserFactory(username="ada", email="ada@example.com")
    soon = timezone.now() + timedelta(seconds=1)
    created = client_for(ada).post(
        "/api/tasks/",
        {
            "title": "Call the plumber",
            "due_date": (timezone.now() + timedelta(days=1)).date().isoformat(),
            "due_time": "12:00",
            "reminders": [{"at": soon.isoformat()}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    notification_thread._thread, notification_thread._stop = None, threading.Event()
    try:
        notification_thread.notification_thread_start(interval=0.05)
        deadline = timezone.now() + timedelta(seconds=15)
        while not mail.outbox and timezone.now() < deadline:
            threading.Event().wait(0.05)
    finally:
        notification_thread._stop.set()
        notification_thread._thread.join(timeout=5)
        notification_thread._thread = None
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert "Call the plumber" in mail.outbox[0].subject + mail.outbox[0].body
    assert list(Notification.objects.values_list("user__username", "kind")) == [("ada", "reminder")]


def test_no_thread_when_turned_off(settings):
    settings.TMS_NOTIFICATION_THREAD = False
    notification_thread._thread = None
    notification_thread.notification_thread_start(interval=0.05)
    assert notification_thread._thread is None
