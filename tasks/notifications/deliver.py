"""The worker's jobs: turn due reminders into notifications, send pending deliveries, and send
pending webhook deliveries (tasks.webhooks.deliver, which keeps its own retry schedule).

Both claim rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (as the mail outbox does,
accounts.services.mail), so any number of workers share the work and no row is handled
twice: a reminder's notifications are written in the transaction that clears its
``fire_at``, and a delivery is sent in the transaction that records its outcome.
A failed send is retried with backoff (1, 2, 4, 8, 16 minutes) and given up after
``MAX_ATTEMPTS``.

A reminder is checked again when claimed: a task done or in the trash since is not
reminded of, and a task re-dated since is reminded of at its new moment (the claim
moves ``fire_at`` there), whatever ``fire_at`` said. A delivery is checked again
before it is sent, for the same reasons.
"""

import datetime
import logging
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from tasks.models import Task
from tasks.notifications import activity
from tasks.notifications.channels import SENDERS, SKIPPED, Recipient, SendFailed
from tasks.notifications.models import Delivery, Notification, Reminder
from tasks.recurrence import local_moment
from tasks.webhooks import deliver as webhooks
from tasks.webhooks.models import WebhookDelivery
from tms_project.metrics import NOTIFICATION_LAG, NOTIFICATIONS_FAILED, NOTIFICATIONS_SENT
from tms_project.outbox import drain

logger = logging.getLogger("tms.notifications")

MAX_ATTEMPTS = 6
CLAIM_BATCH = 20
# A task with a due date but no time is reminded of relative to this time of day, in its owner's zone
# (as tasks.notifications.schedule counts).
DAY_START = datetime.time(9, 0)
# A claim may run a little before a moment computed elsewhere; this much early is not "re-dated".
_EARLY = timedelta(seconds=1)


def due_moment(task: Task) -> datetime.datetime | None:
    """When the task is due: ``due_at``, or 09:00 in its owner's zone on a date without a time."""
    if task.due_at is not None:
        return task.due_at
    if task.due_date is None:
        return None
    return local_moment(task.due_date, DAY_START, task.owner.time_zone)


def _remind_moment(reminder: Reminder, due: datetime.datetime | None) -> datetime.datetime | None:
    if reminder.before_minutes is not None:
        return None if due is None else due - timedelta(minutes=reminder.before_minutes)
    return reminder.at


def _closed(task: Task) -> bool:
    return task.status == Task.Status.DONE or task.trashed_at is not None


def _recipients(task: Task) -> set[int]:
    assignees = set(Task.assignees.through.objects.filter(task_id=task.pk).values_list("user_id", flat=True))
    return activity.task_readers(task, assignees or {task.owner_id})


def reminder_payload(task: Task, due: datetime.datetime | None, reminder: Reminder) -> dict:
    return {
        "title": task.title,
        "due_at": due.astimezone(datetime.UTC).isoformat() if due is not None else None,
        "all_day": task.due_time is None,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "reminder": reminder.pk,
    }


def _fire(reminder: Reminder, now: datetime.datetime) -> int:
    """Write the reminder's notifications, or move/clear it when its task changed; the count written."""
    task = Task.objects.select_related("owner", "project").filter(pk=reminder.task_id).first()
    if task is None or _closed(task):
        reminder.fire_at = None
        reminder.save(update_fields=["fire_at"])
        return 0
    due = due_moment(task)
    moment = _remind_moment(reminder, due)
    occurrence = due if due is not None else reminder.at
    already = reminder.before_minutes is not None and reminder.fired_for == occurrence
    if moment is None or already:
        reminder.fire_at = None
        reminder.save(update_fields=["fire_at"])
        return 0
    if moment > now + _EARLY:  # re-dated since fire_at was set: remind at the new moment only
        reminder.fire_at = moment
        reminder.save(update_fields=["fire_at"])
        return 0
    notes = activity.notify(
        Notification.Kind.REMINDER,
        _recipients(task),
        task=task,
        project=task.project,
        payload=reminder_payload(task, due, reminder),
    )
    reminder.fired_for, reminder.fire_at = occurrence, None
    reminder.save(update_fields=["fired_for", "fire_at"])
    return len(notes)


def fire_due_reminders(limit: int = 100) -> int:
    """Claim up to ``limit`` due reminders and turn each into notifications; returns how many were claimed."""
    handled = 0
    while handled < limit:
        with transaction.atomic():
            now = timezone.now()
            claimed = list(
                Reminder.objects.select_for_update(skip_locked=True)
                .filter(fire_at__lte=now)
                .order_by("fire_at", "pk")[: min(CLAIM_BATCH, limit - handled)]
            )
            for reminder in claimed:
                _fire(reminder, now)
        handled += len(claimed)
        if not claimed:
            break
    return handled


# -- deliveries -------------------------------------------------------------------


def _stale(note: Notification, user: Recipient) -> bool:
    """Nothing to send any more: the account is gone or closed, the task is out of reach, or (a
    reminder) the task was done or re-dated after the reminder fired."""
    if not user.is_active:
        return True
    if note.task_id is None:
        return False
    task = Task.objects.select_related("owner").filter(pk=note.task_id).first()
    if task is None or not activity.task_readers(task, [user.pk]):
        return True
    if note.kind == Notification.Kind.REMINDER:
        due = due_moment(task)
        said = note.payload.get("due_at")
        now_due = due.astimezone(datetime.UTC).isoformat() if due is not None else None
        return _closed(task) or said != now_due
    return False


def _still_chosen(note: Notification, user: Recipient, channel: str) -> bool:
    """The person still wants this channel (they may have switched it off while a send was retried)."""
    return channel in activity.channels_for(note.kind, [user.pk]).get(user.pk, [])


def _finish(delivery: Delivery, state: str, error: str = "") -> None:
    delivery.state = state
    delivery.finished_at = timezone.now()
    delivery.last_error = error[:200]
    delivery.save(update_fields=["state", "finished_at", "last_error", "attempts"])


def _deliver(delivery: Delivery) -> None:
    delivery.attempts += 1
    note = Notification.objects.filter(pk=delivery.notification_id).first()
    user = get_user_model().objects.filter(pk=note.user_id).first() if note else None
    channel = delivery.channel
    if note is None or user is None or _stale(note, user) or not _still_chosen(note, user, channel):
        _finish(delivery, SKIPPED)
        return
    try:
        outcome = SENDERS[Delivery.Channel(channel)](note, user)
    except Exception as exc:  # noqa: BLE001 - any failure of a mail server or push service is retried
        error = str(exc) if isinstance(exc, SendFailed) else type(exc).__name__
        logger.warning(
            "notification not sent",
            extra={"delivery": delivery.pk, "channel": channel, "attempt": delivery.attempts, "error": error},
        )
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.State.FAILED, error)
            NOTIFICATIONS_FAILED.labels(channel).inc()
            return
        delivery.next_attempt_at = timezone.now() + timedelta(minutes=2 ** (delivery.attempts - 1))
        delivery.last_error = error[:200]
        delivery.save(update_fields=["attempts", "next_attempt_at", "last_error"])
        return
    _finish(delivery, outcome)
    if outcome == Delivery.State.SENT:
        NOTIFICATIONS_SENT.labels(channel).inc()


def _no_progress() -> None:
    pass


def deliver_due(limit: int = 50, progress: Callable[[], None] = _no_progress) -> int:
    """Send up to ``limit`` due deliveries, one per transaction; returns how many were handled.

    ``progress`` is called after each one: a round of slow mail servers and push services is
    still alive (the worker's /healthz), not stalled.
    """
    pending = Delivery.objects.filter(state=Delivery.State.PENDING).order_by("next_attempt_at", "pk")
    due = lambda: pending.filter(next_attempt_at__lte=timezone.now())  # noqa: E731 - read at each claim
    return drain(due, _deliver, limit=limit, progress=progress)


def lag_seconds() -> float:
    """Age of the oldest due reminder or delivery (a webhook's too) not yet handled; 0 when none is
    waiting."""
    now = timezone.now()
    oldest = [
        Reminder.objects.filter(fire_at__lte=now).aggregate(oldest=Min("fire_at"))["oldest"],
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now).aggregate(
            oldest=Min("next_attempt_at")
        )["oldest"],
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        ).aggregate(oldest=Min("next_attempt_at"))["oldest"],
    ]
    waiting = [moment for moment in oldest if moment is not None]
    return max(0.0, (now - min(waiting)).total_seconds()) if waiting else 0.0


def run_once(limit: int = 100, progress: Callable[[], None] = _no_progress) -> tuple[int, int]:
    """One round of the worker: fire due reminders, send due deliveries (notifications, then
    webhooks: ``sent`` counts both), update the lag gauge."""
    fired = fire_due_reminders(limit)
    progress()
    sent = deliver_due(limit, progress)
    sent += webhooks.deliver_due(limit, progress)
    NOTIFICATION_LAG.set(lag_seconds())
    return fired, sent
