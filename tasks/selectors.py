"""Reads for tasks. Every query of tasks starts from what tasks.access lets the user read.

Lists are returned unordered: the API pages them in one of the orderings of tasks.orderings.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tasks import access
from tasks.errors import LabelNotFound, ProjectNotFound, TaskNotFound
from tasks.models import Label, Reminder, Task, TaskEvent

# List filter values beside ids: ?project=inbox, ?parent=none, ?assignee=me.
INBOX, TOP_LEVEL, ME = "inbox", "none", "me"


def user_today(time_zone: str) -> datetime.date:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory, and so on
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def overdue_q(time_zone: str) -> Q:
    """Open tasks past due: a task with a time once its moment (``due_at``) has passed, a task
    with only a date from the day after it (in the reader's time zone)."""
    past = Q(due_at__lt=timezone.now()) | Q(due_at__isnull=True, due_date__lt=user_today(time_zone))
    return past & Q(due_date__isnull=False) & ~Q(status=Task.Status.DONE)


def task_get(*, user_id: int, task_id: int) -> Task:
    """A task the user may read, with its details, or TaskNotFound — also when it exists elsewhere."""
    task = access.readable_tasks(user_id).filter(pk=task_id).first()
    if task is None:
        raise TaskNotFound
    return details_attach([task], user_id)[0]


def _parse_filters(tasks: QuerySet[Task], filters: dict[str, Any], time_zone: str) -> QuerySet[Task]:
    if filters.get("status"):
        tasks = tasks.filter(status__in=filters["status"])
    if filters.get("priority"):
        tasks = tasks.filter(priority__in=filters["priority"])
    if filters.get("due_before") is not None:
        tasks = tasks.filter(due_date__lte=filters["due_before"])
    if filters.get("due_after") is not None:
        tasks = tasks.filter(due_date__gte=filters["due_after"])
    if filters.get("has_due") is not None:
        tasks = tasks.filter(due_date__isnull=not filters["has_due"])
    if filters.get("overdue") is not None:
        overdue = overdue_q(time_zone)
        tasks = tasks.filter(overdue if filters["overdue"] else ~overdue)
    if filters.get("updated_since") is not None:
        tasks = tasks.filter(updated_at__gte=filters["updated_since"])
    if filters.get("q"):
        tasks = tasks.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    return tasks


def task_list(*, user_id: int, filters: dict[str, Any], time_zone: str) -> QuerySet[Task]:
    """The tasks the user reads matching validated list filters (see TaskListQuerySerializer).

    Without ``project``: the Inbox and every project they are a member of that is not archived.
    Naming a project they are not a member of (or one in the trash) is ProjectNotFound.
    """
    scope = access.scope_of(user_id)
    projects = filters.get("project")
    if projects:
        named = [p for p in projects if p != INBOX]
        if any(project_id not in scope.projects for project_id in named):
            # As for the project itself: a project you are not a member of does not exist for you.
            raise ProjectNotFound
        where = scope.tasks(project_ids=named, inbox=INBOX in projects)
    else:
        where = scope.tasks()
    tasks = _parse_filters(Task.objects.filter(where, trashed_at__isnull=True), filters, time_zone)
    if filters.get("parent") is not None:
        parent = filters["parent"]
        tasks = tasks.filter(parent__isnull=True) if parent == TOP_LEVEL else tasks.filter(parent_id=parent)
    if filters.get("assignee") is not None:
        assignee = user_id if filters["assignee"] == ME else filters["assignee"]
        assigned = Task.assignees.through.objects.filter(task_id=OuterRef("pk"), user_id=assignee)
        tasks = tasks.filter(Exists(assigned))
    if filters.get("label"):
        # Labels are personal: someone else's label id on a shared task matches nothing.
        tagged = Task.labels.through.objects.filter(
            task_id=OuterRef("pk"), label_id__in=filters["label"], label__owner_id=user_id
        )
        tasks = tasks.filter(Exists(tagged))
    return tasks  # a page's labels, assignees and sub-task counts come from details_attach: one query


def owned_tasks(*, owner_id: int) -> QuerySet[Task]:
    """The tasks the account holds outside the trash: its Inbox and the projects it owns."""
    return Task.objects.filter(owner_id=owner_id, trashed_at__isnull=True)


def trash_list(*, user_id: int) -> QuerySet[Task]:
    """Trashed tasks the user may read (a trashed project's tasks are in the project's trash)."""
    return access.readable_tasks(user_id, trashed=True)


@dataclass(frozen=True)
class UserRef:
    id: int
    username: str
    display_name: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "display_name": self.display_name}


@dataclass(frozen=True)
class ReminderRef:
    """A reminder as a task shows it."""

    id: int
    before_minutes: int | None
    at: datetime.datetime | None
    fire_at: datetime.datetime | None

    @classmethod
    def of(cls, reminder: Reminder) -> "ReminderRef":
        return cls(reminder.pk, reminder.before_minutes, reminder.at, reminder.fire_at)


@dataclass
class TaskDetails:
    """What a task shows beyond its columns, for one reader: their labels, the assignees, sub-tasks,
    the reminders."""

    labels: list[Label] = field(default_factory=list)
    assignees: list[UserRef] = field(default_factory=list)
    subtask_count: int = 0
    subtasks_done: int = 0
    reminders: list[ReminderRef] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _moment(value: Any) -> datetime.datetime | None:
    """A datetime column read back through the UNION below, as text or not (stored in UTC)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(_text(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def details_of(task: Task) -> TaskDetails:
    details = getattr(task, "details", None)
    return details if details is not None else TaskDetails()


# What a task shows of its own columns: a list page reads only these, as values() dicts
# ("pk" for the id, as cursors name it), and tasks.representation.row_data renders them.
TASK_COLUMNS = (
    "pk",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "due_time",
    "due_at",
    "recurrence",
    "recurrence_basis",
    "completed_at",
    "project_id",
    "parent_id",
    "position",
    "version",
    "created_at",
    "updated_at",
)


def details_for(task_ids: list[int], viewer_id: int) -> dict[int, TaskDetails]:
    """For these tasks and with one query: the viewer's labels, the assignees, the sub-task
    counts and the reminders.

    Unlike prefetch_related this builds no related manager per task and no ORM
    query: together a third of a list page's time (docs/performance.md).
    """
    found = {task_id: TaskDetails() for task_id in task_ids}
    if not found:
        return found
    # The page's ids are primary keys read from the database, so integers: written into the query
    # once each instead of 150 parameters the driver escapes one by one.
    marks = ", ".join(str(int(task_id)) for task_id in found)
    link, label = Task.labels.through._meta.db_table, Label._meta.db_table
    assigned, users = Task.assignees.through._meta.db_table, get_user_model()._meta.db_table
    table, reminders = Task._meta.db_table, Reminder._meta.db_table
    # Hand-written: compiling the equivalent ORM queries cost more than running them. One row per
    # label (kind l), per assignee (kind a), per sub-task status with its count (kind s), and per
    # reminder (kind r: minutes before, R: at a moment). The reminders' numbers and moments are left
    # uncast: in a UNION with text columns MariaDB turns them into text of the columns' collation (a
    # CAST would bring the connection's collation, which MariaDB refuses to mix), SQLite keeps them.
    sql = (
        f"SELECT link.task_id, 'l', label.id, label.name, label.colour FROM {link} link "  # noqa: S608 - model names
        f"JOIN {label} label ON label.id = link.label_id "
        f"WHERE link.task_id IN ({marks}) AND label.owner_id = %s "
        f"UNION ALL SELECT a.task_id, 'a', u.id, u.username, u.display_name FROM {assigned} a "
        f"JOIN {users} u ON u.id = a.user_id WHERE a.task_id IN ({marks}) "
        f"UNION ALL SELECT sub.parent_id, 's', COUNT(*), sub.status, '' FROM {table} sub "
        f"WHERE sub.parent_id IN ({marks}) AND sub.trashed_at IS NULL GROUP BY sub.parent_id, sub.status "
        f"UNION ALL SELECT r.task_id, 'r', r.id, r.before_minutes, r.fire_at FROM {reminders} r "
        f"WHERE r.task_id IN ({marks}) AND r.before_minutes IS NOT NULL "
        f"UNION ALL SELECT r.task_id, 'R', r.id, r.at, r.fire_at FROM {reminders} r "
        f"WHERE r.task_id IN ({marks}) AND r.before_minutes IS NULL"
    )
    with connections[router.db_for_read(Task)].cursor() as cursor:  # raw SQL: routed as a queryset is
        cursor.execute(sql, [viewer_id])
        _collect(found, cursor.fetchall(), viewer_id)
    return found


def _collect(found: dict[int, TaskDetails], rows: list[tuple[Any, ...]], viewer_id: int) -> None:
    """The rows of details_for's query, each kept on its task's details, in the order shown."""
    for task_id, kind, number, text, extra in rows:
        details = found[task_id]
        if kind == "l":
            details.labels.append(Label(id=number, owner_id=viewer_id, name=text, colour=extra))
        elif kind == "a":
            details.assignees.append(UserRef(number, text, extra))
        elif kind == "r":
            details.reminders.append(ReminderRef(number, int(_text(text)), None, _moment(extra)))
        elif kind == "R":
            details.reminders.append(ReminderRef(number, None, _moment(text), _moment(extra)))
        else:
            details.subtask_count += number
            details.subtasks_done += number if text == Task.Status.DONE else 0
    for details in found.values():
        if len(details.labels) > 1:
            details.labels.sort(key=lambda item: item.name.lower())
        if len(details.assignees) > 1:
            details.assignees.sort(key=lambda item: item.username.lower())
        if len(details.reminders) > 1:
            details.reminders.sort(key=lambda item: item.id)


def details_attach(tasks: list[Task], viewer_id: int) -> list[Task]:
    """details_for these tasks, kept on each task (``task.details``; labels also where
    ``task.labels.all()`` looks)."""
    pending = {task.pk: task for task in tasks if getattr(task, "details", None) is None}
    for task_id, details in details_for(list(pending), viewer_id).items():
        task = pending[task_id]
        task.details = details
        cache = getattr(task, "_prefetched_objects_cache", {})
        task._prefetched_objects_cache = {**cache, "labels": details.labels}
    return tasks


def labels_of(task: Task) -> list[Label]:
    """The task's labels (the reader's) by name, any case, from details_attach or a write that set them."""
    details = getattr(task, "details", None)
    if details is not None:
        return details.labels
    cache = getattr(task, "_prefetched_objects_cache", {})
    labels = cache["labels"] if "labels" in cache else task.labels.all()
    return sorted(labels, key=lambda label: label.name.lower())


def task_events(*, user_id: int, task_id: int) -> QuerySet[TaskEvent]:
    """The history of a task the user may read (TaskNotFound for any other, or a trashed one).

    Labels are personal, and so are their changes: only the person who made one reads it. A task
    in a project records none, but one moved in from someone's Inbox brings entries naming that
    person's labels. Their ``labels`` entries are left out here; history_as_read_by drops the
    names from their other entries.
    """
    if not access.readable_tasks(user_id).filter(pk=task_id).exists():
        raise TaskNotFound
    someone_elses_labels = Q(kind=TaskEvent.Kind.LABELS) & ~Q(actor_id=user_id)
    return TaskEvent.objects.filter(task_id=task_id).exclude(someone_elses_labels)


def history_as_read_by(events: list[TaskEvent], user_id: int) -> list[TaskEvent]:
    """The events of task_events without the label names of changes someone else made."""
    for event in events:
        if event.actor_id != user_id and "labels" in event.changes:
            event.changes = {key: value for key, value in event.changes.items() if key != "labels"}
    return events


def label_list(*, owner_id: int) -> QuerySet[Label]:
    return Label.objects.filter(owner_id=owner_id)


def label_get(*, owner_id: int, label_id: int) -> Label:
    """The owner's label, or LabelNotFound — also when it exists but is someone else's."""
    label = Label.objects.filter(owner_id=owner_id, pk=label_id).first()
    if label is None:
        raise LabelNotFound
    return label


def task_count(owner_id: int) -> int:
    """The owner's tasks, the trash included (what the task quota counts)."""
    return Task.objects.filter(owner_id=owner_id).count()


def label_count(owner_id: int) -> int:
    return Label.objects.filter(owner_id=owner_id).count()


def task_stats(*, user_id: int, time_zone: str) -> dict[str, Any]:
    """Counts for the dashboard over what the default list shows, in two queries.

    One row per status and priority that occurs (at most fifteen), each with its three
    conditional counts, added up here: Django compiles four aggregates instead of thirteen
    filtered counts, which was half of the request's time (docs/performance.md).
    """
    today = user_today(time_zone)
    week_ago = timezone.now() - datetime.timedelta(days=7)
    overdue = overdue_q(time_zone)
    where = access.scope_of(user_id).tasks()
    groups = (
        Task.objects.filter(where, trashed_at__isnull=True)
        .values_list("status", "priority")
        .order_by()
        .annotate(
            count=Count("pk"),
            overdue=Count("pk", filter=overdue),
            # Not counted twice: a task due earlier today at a time now past is overdue.
            due_today=Count("pk", filter=Q(due_date=today) & ~Q(status=Task.Status.DONE) & ~overdue),
            recent=Count("pk", filter=Q(completed_at__gte=week_ago)),
        )
    )
    by_status = dict.fromkeys(Task.Status.values, 0)
    by_priority = dict.fromkeys(Task.Priority.values, 0)
    total = late = due_today = recent = 0
    for status, priority, count, overdue_count, today_count, recent_count in groups:
        # Only the known values have a key (a row written outside TMS counts in the total only).
        if status in by_status:
            by_status[status] += count
        if priority in by_priority:
            by_priority[priority] += count
        total, late = total + count, late + overdue_count
        due_today, recent = due_today + today_count, recent + recent_count
    return {
        "total": total,
        "by_status": by_status,
        "by_priority": {Task.Priority.name_of(value): by_priority[value] for value in Task.Priority.values},
        "overdue": late,
        "due_today": due_today,
        "completed_last_7_days": recent,
        "today": today.isoformat(),
    }
