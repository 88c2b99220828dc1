"""A person's tasks with a due date as an RFC 5545 calendar of VTODOs (the ``icalendar`` package).

Which tasks: those the person owns (their Inbox and their own projects' tasks) and those assigned
to them, in projects they are still a member of, not archived and not in the trash, with a due
date. Tasks shared with them but neither theirs nor assigned to them stay out: a calendar is a
to-do list of one person, and a big shared project would otherwise drown it.

The file is built with a fixed number of queries whatever its size (the tasks, then their labels)
and holds at most MAX_TASKS tasks, those due last (a calendar application shows what is coming).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Todo, vRecur

from tasks.access import readable_tasks
from tasks.calendar.timezones import vtimezone
from tasks.models import Task

MAX_TASKS = 5000
PRODID = "-//TMS//Task Management System//EN"

_STATUS = {
    Task.Status.TODO: "NEEDS-ACTION",
    Task.Status.IN_PROGRESS: "IN-PROCESS",
    Task.Status.DONE: "COMPLETED",
}
# RFC 5545 PRIORITY: 1 is the highest, 9 the lowest, 0 (left out here) undefined.
_PRIORITY = {
    Task.Priority.URGENT: 1,
    Task.Priority.HIGH: 3,
    Task.Priority.MEDIUM: 5,
    Task.Priority.LOW: 9,
}
_FIELDS = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "due_time",
    "due_at",
    "recurrence",
    "completed_at",
    "created_at",
    "updated_at",
)


def feed_tasks(user_id: int) -> list[Task]:
    """The tasks of the person's feed (see the module), at most MAX_TASKS: one query."""
    assigned = Task.assignees.through.objects.filter(user_id=user_id).values("task_id")
    return list(
        readable_tasks(user_id)
        .filter(Q(owner_id=user_id) | Q(pk__in=assigned), due_date__isnull=False)
        .exclude(project__archived=True)
        .select_related("owner")
        .only(*_FIELDS, "owner__time_zone")
        .order_by("-due_date", "-id")[:MAX_TASKS]
    )


def label_names(user_id: int, task_ids: list[int]) -> dict[int, list[str]]:
    """The person's own labels on these tasks (labels are personal), by name: one query."""
    names: dict[int, list[str]] = defaultdict(list)
    if not task_ids:
        return names
    through = Task.labels.through.objects.filter(task_id__in=task_ids, label__owner_id=user_id)
    for task_id, name in through.order_by("label__name").values_list("task_id", "label__name"):
        names[task_id].append(name)
    return names


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _recurrence(rule: str) -> vRecur | None:
    """The task's RRULE, or None when it has none (or one that cannot be read: the task is still shown)."""
    if not rule:
        return None
    try:
        return vRecur.from_ical(rule)
    except ValueError:
        return None


def _due(task: Task, *, repeating: bool) -> date | datetime | None:
    """A date alone is a whole day (VALUE=DATE); with a time, the moment in UTC — or, for a task
    that repeats, the local time in its owner's zone (with TZID), so that its occurrences keep
    their time of day across summer time as TMS computes them."""
    if task.due_time is None or task.due_at is None:
        return task.due_date  # never None: feed_tasks selects dated tasks only
    if repeating:
        try:
            return task.due_at.astimezone(ZoneInfo(task.owner.time_zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return _utc(task.due_at)


def todo_of(task: Task, labels: list[str], *, host: str) -> Todo:
    todo = Todo()
    todo.add("uid", f"task-{task.pk}@{host}")
    todo.add("dtstamp", _utc(task.updated_at))
    todo.add("created", _utc(task.created_at))
    todo.add("last-modified", _utc(task.updated_at))
    todo.add("summary", task.title)
    if task.description:
        todo.add("description", task.description)
    rule = _recurrence(task.recurrence)
    due = _due(task, repeating=rule is not None)
    if due is not None:
        todo.add("due", due)
    if rule is not None and due is not None:
        # A rule repeats from DTSTART, which must have DUE's value type: the due date (and time).
        todo.add("dtstart", due)
        todo.add("rrule", rule)
    todo.add("status", _STATUS[Task.Status(task.status)])
    if task.status == Task.Status.DONE and task.completed_at is not None:
        todo.add("completed", _utc(task.completed_at))
    if task.priority in _PRIORITY:
        todo.add("priority", _PRIORITY[Task.Priority(task.priority)])
    if labels:
        todo.add("categories", labels)
    todo.add("url", f"{settings.TMS_PUBLIC_URL}/tasks/{task.pk}")
    return todo


def calendar_of(tasks: Iterable[Task], labels: dict[int, list[str]]) -> Calendar:
    host = urlsplit(settings.TMS_PUBLIC_URL).hostname or "tms"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "TMS tasks")
    todos = [todo_of(task, labels.get(task.pk, []), host=host) for task in tasks]
    # A VTIMEZONE for each zone a repeating task's times name (TZID), before the tasks.
    zones = sorted({str(todo["due"].params["TZID"]) for todo in todos if "TZID" in todo["due"].params})
    for tzid in zones:
        calendar.add_component(vtimezone(tzid, timezone.now().year))
    for todo in todos:
        calendar.add_component(todo)
    return calendar


def feed_calendar(user_id: int) -> bytes:
    """The person's feed as an .ics file: two queries."""
    tasks = feed_tasks(user_id)
    return calendar_of(tasks, label_names(user_id, [task.pk for task in tasks])).to_ical()
