"""A task as the API shows it, written out by hand: what TaskSerializer's fields would render.

A list page is fifty of these, read as values() rows (tasks.selectors.TASK_COLUMNS) with their
details; a single task (retrieve, a write's answer) is its model instance. DRF's field-by-field
rendering cost a quarter of a list request (docs/performance.md);
tasks/tests/test_representation.py holds both equal to it for every field.
"""

import datetime
from typing import Any

from django.utils import timezone

from tasks import recurrence as rules
from tasks.models import Label, Task
from tasks.selectors import TASK_COLUMNS, TaskDetails, details_for, details_of, labels_of
from tasks.time_fields import iso_in, reminder_data


def task_data(task: Task, zone: datetime.tzinfo) -> dict[str, Any]:
    """TaskSerializer's fields for a model instance (its details from details_attach, or a write)."""
    row = {name: getattr(task, name) for name in TASK_COLUMNS}
    return row_data(row, details_of(task), zone, labels_of(task))


def task_page(rows: list[dict[str, Any]], viewer_id: int) -> list[dict[str, Any]]:
    """A page of TASK_COLUMNS rows (values() dicts), each with its details for the viewer."""
    details = details_for([row["pk"] for row in rows], viewer_id)
    zone = timezone.get_current_timezone()  # once per page: a context-variable lookup
    return [row_data(row, details[row["pk"]], zone) for row in rows]


def row_data(
    row: dict[str, Any], details: TaskDetails, zone: datetime.tzinfo, labels: list[Label] | None = None
) -> dict[str, Any]:
    """TaskSerializer's fields from a row of TASK_COLUMNS and the task's details; ``labels``
    instead of the details' own (a write's answer shows the labels it just set)."""
    due_date, due_time, recurrence = row["due_date"], row["due_time"], row["recurrence"]
    return {
        "id": row["pk"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "priority": Task.Priority.name_of(row["priority"]),
        "due_date": due_date.isoformat() if due_date is not None else None,
        "due_time": due_time.strftime("%H:%M") if due_time is not None else None,
        "due_at": iso_in(row["due_at"], zone),
        "recurrence": recurrence,
        "recurrence_basis": row["recurrence_basis"],
        "recurrence_text": rules.recurrence_text(recurrence) if recurrence else None,
        "reminders": [reminder_data(reminder, zone) for reminder in details.reminders],
        "completed_at": iso_in(row["completed_at"], zone),
        "labels": [
            {"id": label.pk, "name": label.name, "colour": label.colour}
            for label in (details.labels if labels is None else labels)
        ],
        "project": row["project_id"],
        "parent": row["parent_id"],
        "assignees": [person.as_dict() for person in details.assignees],
        "subtask_count": details.subtask_count,
        "subtasks_done": details.subtasks_done,
        "position": row["position"],
        "version": row["version"],
        "created_at": iso_in(row["created_at"], zone),
        "updated_at": iso_in(row["updated_at"], zone),
    }
