"""The worker's rounds in one process: due reminders become notifications for the right people,
deliveries are sent by e-mail and Web Push, retried with backoff and given up; a reminder whose
task was done, trashed or re-dated is not sent at the old time."""

import datetime
import json
import os
from datetime import timedelta

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.management.commands.generate_vapid_keys import b64url, new_key_pair
from tasks.models import Task
from tasks.notifications import deliver
from tasks.notifications.deliver import MAX_ATTEMPTS, deliver_due, fire_due_reminders, lag_seconds, run_once
from tasks.notifications.models import (
    Delivery,
    Notification,
    NotificationSettings,
    PushSubscription,
    Reminder,
)
from tasks.tests.factories import TaskFactory, project_task
from tms_project.metrics import NOTIFICATION_LAG, NOTIFICATIONS_FAILED, NOTIFICATIONS_SENT

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def browser_keys() -> tuple[ec.EllipticCurvePrivateKey, str, str]:
    """What a browser's PushSubscription holds: its P-256 key (private half kept) and auth secret."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return private, b64url(public), b64url(os.urandom(16))


_, P256DH, AUTH = browser_keys()


@pytest.fixture
def berliner(db):
    return UserFactory(username="ada", time_zone="Europe/Berlin")


def due_task(owner, due_at: datetime.datetime, **fields):
    local = due_at.astimezone(datetime.timezone(timedelta(hours=1)))  # Berlin in winter
    return TaskFactory(
        owner=owner, title="Pay rent", due_date=local.date(), due_time=local.time(), due_at=due_at, **fields
    )


def remind(task: Task, before_minutes: int, fire_at: datetime.datetime | None = None) -> Reminder:
    if fire_at is None and task.due_at is not None:
        fire_at = task.due_at - timedelta(minutes=before_minutes)
    return Reminder.objects.create(task=task, before_minutes=before_minutes, fire_at=fire_at)


def sample(metric, channel=None) -> float:
    child = metric.labels(channel) if channel else metric
    return child._value.get()


@freeze_time("2026-12-05 12:00:00")
def test_a_due_reminder_is_mailed_with_the_due_time_in_the_recipients_zone(berliner, settings):
    settings.TMS_PUBLIC_URL = "https://tms.example.com"
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    reminder = remind(task, 30)
    sent_before = sample(NOTIFICATIONS_SENT, "email")

    assert fire_due_reminders() == 1
    assert deliver_due() == 1

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Reminder: Pay rent"
    assert message.extra_headers == {"Auto-Submitted": "auto-generated"}
    assert "\u201cPay rent\u201d is due at 13:30 on Saturday 5 December 2026 (Europe/Berlin)." in message.body
    assert f"https://tms.example.com/tasks/{task.pk}" in message.body
    reminder.refresh_from_db()
    assert reminder.fire_at is None
    assert reminder.fired_for == task.due_at
    note = Notification.objects.get()
    assert (note.user_id, note.kind, note.task_id) == (berliner.pk, "reminder", task.pk)
    assert Delivery.objects.get().state == Delivery.State.SENT
    assert sample(NOTIFICATIONS_SENT, "email") == sent_before + 1
    # nothing is sent twice
    assert run_once() == (0, 0)
    assert len(mail.outbox) == 1


@freeze_time("2026-12-05 12:00:00")
def test_the_assignees_are_reminded_instead_of_the_owner(team):
    task = project_task(team.project, title="Ship", due_date=datetime.date(2026, 12, 5))
    task.due_at = datetime.datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    task.due_time = datetime.time(13, 0)
    task.save()
    task.assignees.set([team.editor, team.viewer])
    NotificationSettings.objects.create(user=team.viewer, email_reminders=False)
    remind(task, 60)
    fire_due_reminders()
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["editor1", "viewer1"]
    # the viewer chose no e-mail and has no push subscription: a notification in the list only
    assert list(Delivery.objects.values_list("notification__user__username", "channel")) == [
        ("editor1", "email")
    ]


@freeze_time("2026-12-05 12:00:00")
@pytest.mark.parametrize("change", ["done", "trashed"])
def test_a_reminder_of_a_done_or_trashed_task_is_dropped(berliner, change):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    reminder = remind(task, 60)
    if change == "done":
        Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    else:
        Task.objects.filter(pk=task.pk).update(trashed_at=timezone.now())
    assert fire_due_reminders() == 1
    reminder.refresh_from_db()
    assert reminder.fire_at is None and reminder.fired_for is None
    assert not Notification.objects.exists()


def test_a_re_dated_task_is_reminded_at_its_new_time_only(berliner):
    with freeze_time("2026-12-05 12:00:00"):
        task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
        reminder = remind(task, 30)  # fire_at 12:00, due now
        # re-dated to tomorrow, and (as if the schedule had missed it) fire_at still says today
        new_due = datetime.datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
        Task.objects.filter(pk=task.pk).update(due_at=new_due, due_date=datetime.date(2026, 12, 6))
        assert run_once() == (1, 0)
        reminder.refresh_from_db()
        assert reminder.fire_at == new_due - timedelta(minutes=30)
        assert not Notification.objects.exists()
    with freeze_time("2026-12-06 11:59:00"):
        assert run_once() == (0, 0)
    with freeze_time("2026-12-06 12:00:00"):
        assert run_once() == (1, 1)
    [message] = mail.outbox
    assert "13:30 on Sunday 6 December 2026" in message.body


@freeze_time("2026-12-05 12:00:00")
def test_a_reminder_already_sent_for_this_due_moment_is_not_sent_again(berliner):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    reminder = remind(task, 30)
    Reminder.objects.filter(pk=reminder.pk).update(fired_for=task.due_at)
    fire_due_reminders()
    assert not Notification.objects.exists()
    reminder.refresh_from_db()
    assert reminder.fire_at is None


@freeze_time("2026-12-05 12:00:00")
def test_a_task_re_dated_after_its_reminder_fired_is_not_mailed_about_the_old_time(berliner):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    fire_due_reminders()
    Task.objects.filter(pk=task.pk).update(due_at=datetime.datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    deliver_due()
    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


@freeze_time("2026-12-05 12:00:00")
def test_a_date_without_a_time_is_reminded_relative_to_nine_in_the_owners_zone(berliner):
    task = TaskFactory(owner=berliner, title="Dentist", due_date=datetime.date(2026, 12, 5))
    # 09:00 in Berlin is 08:00 UTC; a day before is 08:00 UTC on the 4th
    remind(task, 24 * 60, fire_at=datetime.datetime(2026, 12, 4, 8, 0, tzinfo=UTC))
    run_once()
    [message] = mail.outbox
    assert "\u201cDentist\u201d is due on Saturday 5 December 2026." in message.body


@freeze_time("2026-12-05 12:00:00")
def test_a_failing_mail_is_retried_with_backoff_then_given_up(berliner, monkeypatch):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    fire_due_reminders()

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    failed_before = sample(NOTIFICATIONS_FAILED, "email")
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_due() == 1
        delivery = Delivery.objects.get()
        assert delivery.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert delivery.state == Delivery.State.PENDING
            assert delivery.last_error == "ConnectionRefusedError"
            delays.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 60))
            assert deliver_due() == 0  # not due again yet
            Delivery.objects.update(next_attempt_at=timezone.now())
    assert delays == [1, 2, 4, 8, 16]
    assert delivery.state == Delivery.State.FAILED and delivery.finished_at is not None
    assert sample(NOTIFICATIONS_FAILED, "email") == failed_before + 1
    assert deliver_due() == 0


class FakeResponse(requests.Response):
    def __init__(self, status: int) -> None:
        super().__init__()
        self.status_code = status
        self.reason = "test"
        self._content = b""


@pytest.fixture
def push_on(settings):
    settings.TMS_VAPID_PUBLIC_KEY, settings.TMS_VAPID_PRIVATE_KEY = new_key_pair()
    settings.TMS_VAPID_SUBJECT = "mailto:ops@example.com"
    settings.TMS_PUSH_ALLOW_PRIVATE = False


def push_only(user) -> None:
    NotificationSettings.objects.create(user=user, email_reminders=False, push_reminders=True)


@freeze_time("2026-12-05 12:00:00")
def test_a_gone_push_subscription_is_deleted_and_others_still_get_it(berliner, push_on, monkeypatch):
    push_only(berliner)
    gone = PushSubscription.objects.create(
        user=berliner, endpoint="https://93.184.216.34/gone", p256dh=P256DH, auth=AUTH
    )
    alive = PushSubscription.objects.create(
        user=berliner, endpoint="https://93.184.216.34/alive", p256dh=P256DH, auth=AUTH
    )
    posted = []

    def post(self, url, data=None, headers=None, timeout=None, **kwargs):
        posted.append((url, headers, timeout))
        return FakeResponse(410 if url.endswith("/gone") else 201)

    monkeypatch.setattr(requests.Session, "post", post)
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    run_once()

    assert [url for url, _, _ in posted] == [gone.endpoint, alive.endpoint]
    assert all(timeout == 5 for _, _, timeout in posted)
    assert all(headers["Authorization"].startswith("vapid t=") for _, headers, _ in posted)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [alive.endpoint]
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.state) == ("push", Delivery.State.SENT)
    alive.refresh_from_db()
    assert alive.last_success_at == timezone.now()


@freeze_time("2026-12-05 12:00:00")
def test_push_with_every_subscription_gone_is_skipped(berliner, push_on, monkeypatch):
    push_only(berliner)
    PushSubscription.objects.create(
        user=berliner, endpoint="https://93.184.216.34/x", p256dh=P256DH, auth=AUTH
    )
    monkeypatch.setattr(requests.Session, "post", lambda self, url, **kw: FakeResponse(404))
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    run_once()
    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


@freeze_time("2026-12-05 12:00:00")
def test_a_push_service_error_is_retried_and_an_endpoint_now_resolving_inside_is_not_called(
    berliner, push_on, monkeypatch
):
    push_only(berliner)
    PushSubscription.objects.create(
        user=berliner, endpoint="https://93.184.216.34/x", p256dh=P256DH, auth=AUTH
    )
    calls = []
    monkeypatch.setattr(
        requests.Session, "post", lambda self, url, **kw: calls.append(url) or FakeResponse(503)
    )
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    run_once()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == (
        Delivery.State.PENDING,
        1,
        "push service answered 503",
    )
    # the endpoint's host now resolves to a private address (DNS rebinding): refused before any request
    PushSubscription.objects.update(endpoint="https://10.0.0.7/x")
    Delivery.objects.update(next_attempt_at=timezone.now())
    deliver_due()
    assert len(calls) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error.startswith("endpoint refused")
    assert PushSubscription.objects.count() == 1  # kept: the name may resolve outside again


@freeze_time("2026-12-05 12:00:00")
def test_the_push_message_carries_title_body_url_and_tag(berliner, push_on, settings):
    from tasks.notifications.channels import push_payload

    settings.TMS_PUBLIC_URL = "https://tms.example.com"
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    fire_due_reminders()
    note = Notification.objects.get()
    assert json.loads(push_payload(note, berliner)) == {
        "title": "Reminder: Pay rent",
        "body": "\u201cPay rent\u201d is due at 13:30 on Saturday 5 December 2026 (Europe/Berlin).",
        "url": f"https://tms.example.com/tasks/{task.pk}",
        "tag": f"reminder-task-{task.pk}",
    }


def test_the_lag_is_the_age_of_the_oldest_waiting_row(berliner):
    with freeze_time("2026-12-05 12:00:00"):
        assert lag_seconds() == 0
        task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
        remind(task, 40)  # due since 11:50
        assert lag_seconds() == 600
        run_once()
        assert sample(NOTIFICATION_LAG) == 0
    assert deliver.MAX_ATTEMPTS == MAX_ATTEMPTS


@freeze_time("2026-12-05 12:00:00")
def test_deliveries_of_an_account_closed_meanwhile_are_skipped(berliner):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    fire_due_reminders()
    type(berliner).objects.filter(pk=berliner.pk).update(is_active=False)
    deliver_due()
    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


def test_the_worker_health_turns_503_when_rounds_stop(monkeypatch):
    from wsgiref.util import setup_testing_defaults

    from tasks.management.commands.deliver_notifications import Health, metrics_app

    clock = [1000.0]
    monkeypatch.setattr("tasks.management.commands.deliver_notifications.time.monotonic", lambda: clock[0])
    health = Health(interval=5)
    app = metrics_app(health)

    def get(path: str) -> tuple[str, bytes]:
        environ: dict = {"PATH_INFO": path}
        setup_testing_defaults(environ)
        environ["PATH_INFO"] = path
        status = []
        body = b"".join(app(environ, lambda s, headers: status.append(s)))
        return status[0], body

    assert get("/healthz") == ("200 OK", b"ok\n")
    clock[0] += 61  # no round for six intervals, and at least a minute
    assert get("/healthz")[0] == "503 Service Unavailable"
    health.beat()
    assert get("/healthz")[0] == "200 OK"
    status, body = get("/metrics")
    assert status.startswith("200") and b"tms_notifications_sent_total" in body
    assert get("/other")[0] == "404 Not Found"


@freeze_time("2026-12-05 12:00:00")
def test_a_channel_switched_off_before_the_send_is_not_used(berliner):
    task = due_task(berliner, datetime.datetime(2026, 12, 5, 12, 30, tzinfo=UTC))
    remind(task, 30)
    fire_due_reminders()
    NotificationSettings.objects.create(user=berliner, email_reminders=False)
    deliver_due()
    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


@pytest.mark.parametrize(
    ("production", "backend", "allowed", "refused"),
    [
        (True, "django.core.mail.backends.console.EmailBackend", None, True),
        (True, "django.core.mail.backends.console.EmailBackend", "true", False),
        (True, "django.core.mail.backends.smtp.EmailBackend", None, False),
        (False, "django.core.mail.backends.console.EmailBackend", None, False),
    ],
)
def test_the_worker_refuses_to_log_mails_in_production(
    settings, monkeypatch, production, backend, allowed, refused
):
    from django.core.management import call_command

    settings.IS_PRODUCTION, settings.EMAIL_BACKEND = production, backend
    if allowed:
        monkeypatch.setenv("TMS_ALLOW_CONSOLE_EMAIL", allowed)
    else:
        monkeypatch.delenv("TMS_ALLOW_CONSOLE_EMAIL", raising=False)
    if refused:
        with pytest.raises(SystemExit) as stopped:
            call_command("deliver_notifications", "--once")
        assert stopped.value.code == 2
    else:
        call_command("deliver_notifications", "--once")
