"""Task history: what changed, old → new, by whom. Called inside the change's transaction.

Every task change passes here, whichever path made it (the API, bulk actions, the admin), so
this is also where its webhook event is written to the outbox (tasks.webhooks.events).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from tasks.models import Label, Task, TaskEvent
from tasks.webhooks import events as webhook_events

TRACKED_FIELDS = ("title", "description", "status", "priority", "due_date")


def represent(field: str, value: Any) -> Any:
    if field == "priority":
        return Task.Priority.name_of(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def snapshot(task: Task) -> dict[str, Any]:
    return {field: represent(field, getattr(task, field)) for field in TRACKED_FIELDS}


def label_names(labels: Iterable[Label]) -> list[str]:
    return sorted(label.name for label in labels)


def usernames(people: Iterable[Any]) -> list[str]:
    """Assignees as history shows them: usernames, sorted (a UserRef or anything with ``username``)."""
    return sorted(person.username for person in people)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: [before[field], after[field]] for field in after if before.get(field) != after[field]}


def event(task: Task, actor_id: int | None, kind: str, changes: dict | None = None) -> TaskEvent:
    return TaskEvent(task=task, actor_id=actor_id, kind=kind, changes=changes or {})


def record(task: Task, actor_id: int | None, kind: str, changes: dict | None = None) -> TaskEvent:
    entry = event(task, actor_id, kind, changes)
    entry.save(force_insert=True)
    webhook_events.task_changed(task, actor_id, kind, changes)
    return entry


def record_many(events: list[TaskEvent]) -> None:
    TaskEvent.objects.bulk_create(events, batch_size=500)
    webhook_events.tasks_changed(events)
