"""Reads for tasks. Every query starts from the owner's tasks."""

import datetime
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from tasks.models import Task
from tms_project.api.keyset import Key

# ordering name -> keyset keys (the primary key is appended as the tiebreaker)
ORDERINGS: dict[str, list[Key]] = {}
for _name, _key in {
    "position": Key("position"),
    "due_date": Key("due_date", nullable=True),
    "priority": Key("priority"),
    "created_at": Key("created_at"),
    "updated_at": Key("updated_at"),
    # Case-insensitive on every database (served by a functional index).
    "title": Key("title_key", expression=Lower("title")),
}.items():
    ORDERINGS[_name] = [_key]
    ORDERINGS[f"-{_name}"] = [replace(_key, descending=True)]
DEFAULT_ORDERING = "position"


def user_today(time_zone: str) -> datetime.date:
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def task_queryset(*, owner_id: int) -> QuerySet[Task]:
    return Task.objects.filter(owner_id=owner_id)


def task_get(*, owner_id: int, task_id: int) -> Task:
    """The owner's task, or 404 — also when it exists but belongs to someone else."""
    task = task_queryset(owner_id=owner_id).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


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
    return tasks
