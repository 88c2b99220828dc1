"""When a task is due in UTC (``Task.due_at``) and when its reminders fire (``Reminder.fire_at``).

A task's due date and time are its owner's local date and time (User.time_zone); ``due_at``
is that moment in UTC, and each reminder's ``fire_at`` is derived from it. Both are kept
here, in the transaction of every change that moves them: of the due date or time, of the
status, of the trash, of the task's owner, and of the owner's time zone.

A reminder fires for one due moment at most once: the worker writes that moment into
``fired_for`` when it sends (``occurrence_of``), so a task re-dated to the same moment, or
rescheduled for any other reason, is not reminded twice, while a new occurrence (a
re-dated task, the next occurrence of a repeating one) is.

Rules for ``fire_at`` (None: nothing to send):

- the task is done, in the trash, or has no due date: None;
- ``before_minutes``: that many minutes before the due moment, which is ``due_at``, or 09:00
  local on the due date for a task without a time; None once that due moment has passed, or
  when the reminder already fired for it;
- ``at``: that moment, unless it already fired, or it lies more than LATE in the past (an
  imported or re-opened task does not send old reminders).
"""

import datetime
import functools
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tasks.models import Task
from tasks.notifications.models import Reminder
from tasks.recurrence import local_moment

# What a relative reminder on a task without a due time counts from.
DEFAULT_REMINDER_TIME = datetime.time(9, 0)
# An absolute reminder further in the past than this is not sent any more.
LATE = datetime.timedelta(hours=1)
_BATCH = 500


def owner_time_zone(owner_id: int) -> str:
    """The owner's time zone name (UTC for an account that is gone)."""
    zone = get_user_model().objects.filter(pk=owner_id).values_list("time_zone", flat=True).first()
    return zone or "UTC"


class OwnerZone:
    """A task owner's time zone, read from the database the first time a write needs it."""

    def __init__(self, owner_id: int) -> None:
        self.owner_id = owner_id

    @functools.cached_property
    def name(self) -> str:
        return owner_time_zone(self.owner_id)


def set_due_at(task: Task, zone: OwnerZone) -> None:
    """``task.due_at`` from its date, time and owner (the time zone is read only for a timed task)."""
    task.due_at = (
        due_at_of(task, zone.name) if task.due_date is not None and task.due_time is not None else None
    )


def due_at_of(task: Task, time_zone: str) -> datetime.datetime | None:
    """The task's due moment in UTC; None without a due date or time."""
    if task.due_date is None:
        return None
    return local_moment(task.due_date, task.due_time, time_zone)


def occurrence_of(task: Task, time_zone: str) -> datetime.datetime | None:
    """The due moment a relative reminder counts from: ``due_at``, or 09:00 local on the due date."""
    if task.due_date is None:
        return None
    if task.due_at is not None:
        return task.due_at
    return local_moment(task.due_date, DEFAULT_REMINDER_TIME, time_zone)


def fire_at_of(
    reminder: Reminder, task: Task, time_zone: str, now: datetime.datetime
) -> datetime.datetime | None:
    """When ``reminder`` should fire next (see the module's rules)."""
    if task.status == Task.Status.DONE or task.trashed_at is not None or task.due_date is None:
        return None
    if reminder.at is not None:
        if reminder.fired_for is not None or reminder.at < now - LATE:
            return None
        return reminder.at
    due = occurrence_of(task, time_zone)
    if due is None or due <= now or reminder.fired_for == due:
        return None
    return due - datetime.timedelta(minutes=reminder.before_minutes or 0)


def _needs_nothing(task: Task) -> bool:
    return task.status == Task.Status.DONE or task.trashed_at is not None or task.due_date is None


def unschedule(task_ids: list[int]) -> None:
    """Nothing to send for these tasks (done, or in the trash): one query."""
    if task_ids:
        Reminder.objects.filter(task_id__in=task_ids, fire_at__isnull=False).update(fire_at=None)


def reschedule_task(task: Task, *, time_zone: str | OwnerZone | None = None) -> list[Reminder]:
    """Set ``fire_at`` of the task's reminders from its current state; the reminders, as saved.

    One query when nothing is to be sent (the task is done, trashed or has no due date); else
    reads the reminders (and the owner's time zone when not given) and writes those that moved.
    """
    if _needs_nothing(task):
        unschedule([task.pk])
        return []
    reminders = list(Reminder.objects.filter(task_id=task.pk).order_by("pk"))
    if reminders:
        if isinstance(time_zone, OwnerZone):
            zone = time_zone.name
        else:
            zone = time_zone if time_zone is not None else owner_time_zone(task.owner_id)
        _reschedule(reminders, {task.pk: task}, {task.owner_id: zone})
    return reminders


def _reschedule(reminders: list[Reminder], tasks: dict[int, Task], zones: dict[int, str]) -> None:
    now = timezone.now()
    moved = []
    for reminder in reminders:
        task = tasks[reminder.task_id]
        fire_at = fire_at_of(reminder, task, zones.get(task.owner_id, "UTC"), now)
        if fire_at != reminder.fire_at:
            reminder.fire_at = fire_at
            moved.append(reminder)
    if moved:
        Reminder.objects.bulk_update(moved, ["fire_at"], batch_size=_BATCH)


def reschedule_tasks(task_ids: Iterable[int]) -> None:
    """Recompute ``due_at`` and the reminders of these tasks from their owners' time zones.

    For changes made to many tasks at once (a bulk action, a move to another owner, a
    hand-over of projects): a constant number of queries per 500 tasks.
    """
    ids = list(task_ids)
    for start in range(0, len(ids), _BATCH):
        _reschedule_batch(list(Task.objects.filter(pk__in=ids[start : start + _BATCH])))


def _reschedule_batch(tasks: list[Task]) -> None:
    owners = {task.owner_id for task in tasks}
    zones = dict(get_user_model().objects.filter(pk__in=owners).values_list("pk", "time_zone"))
    moved = []
    for task in tasks:
        due_at = due_at_of(task, zones.get(task.owner_id, "UTC"))
        if due_at != task.due_at:
            task.due_at = due_at
            moved.append(task)
    if moved:
        Task.objects.bulk_update(moved, ["due_at"], batch_size=_BATCH)
    by_id = {task.pk: task for task in tasks}
    reminders = list(Reminder.objects.filter(task_id__in=list(by_id)))
    _reschedule(reminders, by_id, zones)


def reschedule_owner(owner_id: int) -> None:
    """After the owner's time zone changed: every due moment and reminder of the tasks they own.

    Called in the transaction that saves the new time zone (accounts.services.users.user_update).
    Tasks with a due date are all that can move: a date-only task's reminders count from 09:00
    local, and a timed task's ``due_at`` is its local time in the new zone.
    """
    ids = list(
        Task.objects.filter(owner_id=owner_id)
        .filter(Q(due_date__isnull=False) | Q(due_at__isnull=False))
        .values_list("pk", flat=True)
    )
    reschedule_tasks(ids)
