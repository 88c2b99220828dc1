"""Export a user's tasks (CSV or JSON, streamed) and import a JSON export.

The JSON export is the import format:
    {"format": "tms-tasks", "version": 1, "exported_at": "...", "tasks": [{...}, ...]}
Import validates every row before writing any, then writes all of them in one
transaction (labels are matched by name, created when missing). The account's
quotas are checked under the owner's lock before the first write, so an import
that would pass one writes nothing.
"""

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks import positions
from tasks.models import Label, Task, TaskEvent
from tasks.services import history, quotas
from tms_project.metrics import TASKS_CREATED

EXPORT_FORMAT = "tms-tasks"
EXPORT_VERSION = 1
CSV_COLUMNS = [
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "completed_at",
    "created_at",
    "labels",
]
MAX_IMPORT_TASKS = 5000


def export_row(task: Task) -> dict[str, Any]:
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": Task.Priority.name_of(task.priority),
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "created_at": task.created_at.isoformat(),
        "labels": [{"name": label.name, "colour": label.colour} for label in task.labels.all()],
    }


def _tasks_in_order(tasks: QuerySet[Task]) -> Iterator[Task]:
    return tasks.order_by("status", "position", "pk").prefetch_related("labels").iterator(chunk_size=500)


def export_json(tasks: QuerySet[Task]) -> Iterator[str]:
    header = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "exported_at": timezone.now().isoformat()}
    yield json.dumps(header)[:-1] + ', "tasks": ['
    for index, task in enumerate(_tasks_in_order(tasks)):
        yield ("," if index else "") + "\n" + json.dumps(export_row(task), ensure_ascii=False)
    yield "\n]}\n"


def export_csv(tasks: QuerySet[Task]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for task in _tasks_in_order(tasks):
        row = export_row(task)
        row["labels"] = ";".join(label["name"] for label in row["labels"])
        writer.writerow([_csv_safe(row[column]) for column in CSV_COLUMNS])
        yield flush()


def _csv_safe(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value if value is not None else ""


def _import_labels(owner_id: int, rows: list[dict[str, Any]]) -> tuple[dict[str, Label], int]:
    """The owner's labels by lower-case name, creating those the rows name and lack (within the quota)."""
    names = {label["name"].lower(): label for row in rows for label in row.get("labels", [])}
    labels = list(Label.objects.filter(owner_id=owner_id))
    existing = {label.name.lower(): label for label in labels}
    missing = [
        Label(owner_id=owner_id, name=spec["name"], colour=spec["colour"])
        for key, spec in names.items()
        if key not in existing
    ]
    quotas.ensure_label_room(owner_id=owner_id, adding=len(missing), have=len(labels))
    for label in Label.objects.bulk_create(missing):
        existing[label.name.lower()] = label
    return existing, len(missing)


def _imported_task(owner_id: int, row: dict[str, Any], position: int) -> Task:
    task = Task(
        owner_id=owner_id,
        title=row["title"],
        description=row.get("description", ""),
        status=row["status"],
        priority=row["priority"],
        due_date=row.get("due_date"),
        position=position,
    )
    done = row["status"] == Task.Status.DONE
    task.completed_at = (row.get("completed_at") or timezone.now()) if done else None
    return task


def _insert_tasks(owner_id: int, rows: list[dict[str, Any]]) -> list[Task]:
    """Insert the rows' tasks in order; the saved tasks, with their ids."""
    # Consecutive positions that never equal a clock position (multiples of GAP),
    # so the imported rows can be found again on databases that return no ids.
    start = positions.position_now() + 1
    spacing = 1024
    new_tasks = [_imported_task(owner_id, row, start + index * spacing) for index, row in enumerate(rows)]
    created = Task.objects.bulk_create(new_tasks, batch_size=500)
    if any(task.pk is None for task in created):  # MySQL returns no ids from a bulk insert
        wanted = [task.position for task in new_tasks]
        created = list(Task.objects.filter(owner_id=owner_id, position__in=wanted).order_by("position"))
    return created


def _link_labels(created: list[Task], rows: list[dict[str, Any]], labels: dict[str, Label]) -> None:
    through = Task.labels.through
    links = [
        through(task_id=task.pk, label_id=labels[label["name"].lower()].pk)
        for task, row in zip(created, rows, strict=True)
        for label in row.get("labels", [])
    ]
    through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)


@transaction.atomic
def tasks_import(
    *, owner_id: int, actor_id: int | None, rows: list[dict[str, Any]]
) -> tuple[list[Task], int]:
    """Create validated rows (see ImportRowSerializer) for ``owner_id``, in order.

    Returns the tasks and how many labels had to be created. Refuses (409) an
    import that would take the account past its task or label quota.
    """
    quotas.lock_owner(owner_id)
    quotas.ensure_task_room(owner_id=owner_id, adding=len(rows))
    labels, labels_created = _import_labels(owner_id, rows)
    created = _insert_tasks(owner_id, rows)
    _link_labels(created, rows, labels)
    history.record_many(
        [history.event(task, actor_id, TaskEvent.Kind.IMPORTED, history.snapshot(task)) for task in created]
    )
    transaction.on_commit(lambda: TASKS_CREATED.labels("import").inc(len(created)))
    return created, labels_created
