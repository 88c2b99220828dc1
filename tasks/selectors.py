"""Reads for tasks. Every query starts from the owner's tasks (or labels).

Lists are returned unordered: the API pages them in one of the orderings of tasks.orderings.
"""

import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tasks.errors import LabelNotFound, TaskNotFound
from tasks.models import Label, Task, TaskEvent


def user_today(time_zone: str) -> datetime.date:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory, and so on
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def task_queryset(*, owner_id: int, trashed: bool = False) -> QuerySet[Task]:
    """The owner's tasks outside the trash (or, with ``trashed``, in it)."""
    return Task.objects.filter(owner_id=owner_id, trashed_at__isnull=not trashed)


def task_get(*, owner_id: int, task_id: int) -> Task:
    """The owner's task with its labels, or TaskNotFound — also when it exists but is someone else's."""
    task = task_queryset(owner_id=owner_id).filter(pk=task_id).first()
    if task is None:
        raise TaskNotFound
    return labels_attach([task])[0]


def task_list(*, owner_id: int, filters: dict[str, Any], time_zone: str) -> QuerySet[Task]:
    """The owner's tasks matching validated list filters (see TaskListQuerySerializer)."""
    tasks = task_queryset(owner_id=owner_id)
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
        overdue = Q(due_date__lt=user_today(time_zone)) & ~Q(status=Task.Status.DONE)
        tasks = tasks.filter(overdue if filters["overdue"] else ~overdue)
    if filters.get("updated_since") is not None:
        tasks = tasks.filter(updated_at__gte=filters["updated_since"])
    if filters.get("q"):
        tasks = tasks.filter(Q(title__icontains=filters["q"]) | Q(description__icontains=filters["q"]))
    if filters.get("label"):
        tagged = Task.labels.through.objects.filter(task_id=OuterRef("pk"), label_id__in=filters["label"])
        tasks = tasks.filter(Exists(tagged))
    return tasks  # a page's labels come from labels_attach: one query for the whole page


def trash_list(*, owner_id: int) -> QuerySet[Task]:
    return task_queryset(owner_id=owner_id, trashed=True)


def labels_attach(tasks: list[Task]) -> list[Task]:
    """Load the labels of these tasks with one query and keep them where ``task.labels.all()`` looks.

    Unlike prefetch_related this builds no related manager per task and no
    ORM query: together a third of a list page's time (docs/performance.md).
    """
    pending = {
        task.pk: task for task in tasks if "labels" not in getattr(task, "_prefetched_objects_cache", {})
    }
    if not pending:
        return tasks
    found: dict[int, list[Label]] = {task_id: [] for task_id in pending}
    link, label = Task.labels.through._meta.db_table, Label._meta.db_table
    # Hand-written: compiling the equivalent ORM query cost more than running it.
    sql = (
        f"SELECT link.task_id, label.id, label.name, label.colour FROM {link} link "  # noqa: S608 - model names
        f"JOIN {label} label ON label.id = link.label_id "
        f"WHERE link.task_id IN ({', '.join(['%s'] * len(pending))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(pending))
        rows = cursor.fetchall()
    for task_id, label_id, name, colour in rows:
        found[task_id].append(
            Label(id=label_id, owner_id=pending[task_id].owner_id, name=name, colour=colour)
        )
    for task_id, task in pending.items():
        cache = getattr(task, "_prefetched_objects_cache", {})
        task._prefetched_objects_cache = {**cache, "labels": found[task_id]}
    return tasks


def labels_of(task: Task) -> list[Label]:
    """The task's labels by name (any case), from labels_attach or prefetch_related when loaded."""
    cache = getattr(task, "_prefetched_objects_cache", {})
    labels = cache["labels"] if "labels" in cache else task.labels.all()
    return sorted(labels, key=lambda label: label.name.lower())


def task_events(*, owner_id: int, task_id: int) -> QuerySet[TaskEvent]:
    """The history of one of the owner's tasks (TaskNotFound for anyone else's, or a trashed one)."""
    if not task_queryset(owner_id=owner_id).filter(pk=task_id).exists():
        raise TaskNotFound
    return TaskEvent.objects.filter(task_id=task_id)


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


def task_stats(*, owner_id: int, time_zone: str) -> dict[str, Any]:
    """Counts for the dashboard, in one query."""
    today = user_today(time_zone)
    week_ago = timezone.now() - datetime.timedelta(days=7)
    not_done = ~Q(status=Task.Status.DONE)
    counts = {f"status_{status}": Count("pk", filter=Q(status=status)) for status in Task.Status.values}
    counts |= {f"priority_{value}": Count("pk", filter=Q(priority=value)) for value in Task.Priority.values}
    counts |= {
        "total": Count("pk"),
        "overdue": Count("pk", filter=Q(due_date__lt=today) & not_done),
        "due_today": Count("pk", filter=Q(due_date=today) & not_done),
        "completed_last_7_days": Count("pk", filter=Q(completed_at__gte=week_ago)),
    }
    row = task_queryset(owner_id=owner_id).aggregate(**counts)
    return {
        "total": row["total"],
        "by_status": {status: row[f"status_{status}"] for status in Task.Status.values},
        "by_priority": {Task.Priority.name_of(v): row[f"priority_{v}"] for v in Task.Priority.values},
        "overdue": row["overdue"],
        "due_today": row["due_today"],
        "completed_last_7_days": row["completed_last_7_days"],
        "today": today.isoformat(),
    }
