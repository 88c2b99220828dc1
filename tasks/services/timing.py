"""The time of a task in its writes: due date, time and rule kept consistent, a repeating task moved
to its next occurrence when completed, its reminders replaced, and what the history says of them.

Used by tasks.services.tasks within its transactions; the due moment and the reminders' fire times
are tasks.notifications.schedule's.
"""

from datetime import datetime, time
from typing import Any

from django.utils import timezone

from tasks.errors import TaskInvalid
from tasks.models import Reminder, Task
from tasks.notifications.schedule import OwnerZone
from tasks.recurrence import next_occurrence, zone_of
from tasks.services import history

NEEDS_DUE_DATE = "A due time needs a due date."
REPEAT_NEEDS_DUE_DATE = "A repeating task needs a due date."


def check_due(task: Task, data: dict[str, Any]) -> None:
    """A due time and a rule go with a due date: clearing the date clears the time; a rule
    refuses to lose its date (clear the rule in the same request). Changing the rule starts
    its count (COUNT) again."""
    if task.due_date is None:
        if data.get("due_time") is not None:
            raise TaskInvalid({"due_time": [NEEDS_DUE_DATE]})
        if data.get("recurrence"):
            raise TaskInvalid({"recurrence": [REPEAT_NEEDS_DUE_DATE]})
        if task.recurrence:
            raise TaskInvalid({"due_date": [REPEAT_NEEDS_DUE_DATE + " Clear its recurrence too."]})
        task.due_time = None


def time_text(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def next_repeat(task: Task, zone: OwnerZone) -> dict[str, Any] | None:
    """When the task, just marked done, repeats: put it on its next occurrence, open again, and
    answer the date change for the completion's history entry; None when it does not repeat
    or its rule is exhausted (it stays done)."""
    if not task.recurrence or task.due_date is None:
        return None
    completed_on = (task.completed_at or timezone.now()).astimezone(zone_of(zone.name)).date()
    following = next_occurrence(
        task.recurrence,
        task.recurrence_basis,
        task.due_date,
        task.due_time,
        completed_on,
        zone.name,
        task.recurrence_done,
    )
    if following is None:
        return None
    change = {"due_date": [task.due_date.isoformat(), following.due_date.isoformat()]}
    task.due_date, task.due_time, task.due_at = following.due_date, following.due_time, following.due_at
    task.recurrence_done += 1
    task.status, task.completed_at = Task.Status.TODO, None
    return change


REPEAT_FIELDS = ["status", "completed_at", "due_date", "due_time", "due_at", "recurrence_done"]


def reminder_key(before_minutes: int | None, at: datetime | None) -> tuple[int | None, datetime | None]:
    return before_minutes, at


def reminder_text(reminder: Reminder | dict[str, Any]) -> dict[str, Any]:
    before = reminder["before_minutes"] if isinstance(reminder, dict) else reminder.before_minutes
    at = reminder["at"] if isinstance(reminder, dict) else reminder.at
    return {"before_minutes": before} if before is not None else {"at": history.represent("at", at)}


def set_reminders(task: Task, specs: list[dict[str, Any]], changes: dict[str, Any] | None) -> None:
    """Replace the task's reminders with ``specs``. A reminder that stays keeps its row, and so
    remembers the occurrence it was already sent for."""
    old = (
        list(Reminder.objects.filter(task_id=task.pk).order_by("pk"))
        if task.pk and changes is not None
        else []
    )
    wanted = [(spec.get("before_minutes"), spec.get("at")) for spec in specs]
    kept = {reminder_key(r.before_minutes, r.at): r for r in old}
    gone = [r.pk for r in old if reminder_key(r.before_minutes, r.at) not in set(wanted)]
    new = [Reminder(task_id=task.pk, before_minutes=b, at=a) for b, a in wanted if (b, a) not in kept]
    if gone:
        Reminder.objects.filter(pk__in=gone).delete()
    if new:
        Reminder.objects.bulk_create(new)
    if changes is not None and (gone or new):
        changes["reminders"] = [
            [reminder_text(r) for r in old],
            [reminder_text({"before_minutes": b, "at": a}) for b, a in wanted],
        ]


def time_snapshot(task: Task) -> dict[str, Any]:
    """The time fields a history entry shows, when set (the tracked fields are history's own)."""
    shown: dict[str, Any] = {}
    if task.due_time is not None:
        shown["due_time"] = time_text(task.due_time)
    if task.recurrence:
        shown["recurrence"] = task.recurrence
        shown["recurrence_basis"] = task.recurrence_basis
    return shown


def time_changes(before: tuple[Any, ...], task: Task, changes: dict[str, Any]) -> None:
    due_time, rule, basis = before
    if due_time != task.due_time:
        changes["due_time"] = [time_text(due_time), time_text(task.due_time)]
    if rule != task.recurrence:
        changes["recurrence"] = [rule, task.recurrence]
        task.recurrence_done = 0  # a new rule counts its occurrences from here
    if basis != task.recurrence_basis:
        changes["recurrence_basis"] = [basis, task.recurrence_basis]
