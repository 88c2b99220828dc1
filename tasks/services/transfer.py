"""Export an account's projects and tasks as CSV (one file) or JSON (parts that import as they are).

The JSON export is the import format (tasks.services.transfer_import), version 2:

    {"format": "tms-tasks", "version": 2, "exported_at": "...", "export": "<id>", "part": 1,
     "projects": [{"ref": "p3", "name": ..., "description": ..., "colour": ..., "archived": false}],
     "tasks": [{"ref": "t9", "project": "p3", "parent": null, "title": ..., ...}, ...],
     "next": "https://…/api/tasks/export/?format=json&cursor=…" | null}

It holds what the account owns outside the trash: its Inbox and the projects it owns (not those
shared with it). Ids are not portable, so the file names projects and tasks by refs (``p``/``t``
and the id here), the same in every part of one export.

A part holds at most MAX_IMPORT_TASKS tasks and TMS_MAX_IMPORT_BYTES bytes, what one import takes,
so every part of every export imports as it is. Tasks come project by project (the Inbox first),
each followed by its sub-tasks (depth first, siblings in board order), so a parent always comes
before its sub-tasks — in the same part or an earlier one. ``next`` carries a signed cursor: the
export id and the place in that order where the next part begins, so parts follow each other
however long the download takes (tasks changed in between may land in either part, as with any
keyset page).
"""

import bisect
import csv
import io
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from tasks.errors import TaskInvalid
from tasks.models import Label, Project, Reminder, Task

EXPORT_FORMAT = "tms-tasks"
EXPORT_VERSION = 2
# Version 1 (tasks only, all in the Inbox) still imports.
IMPORT_VERSIONS = (1, 2)
# Tasks per import, and so per export part.
MAX_IMPORT_TASKS = 5000
# The longest ref (or export id) a file may use.
MAX_REF = 64
CSV_COLUMNS = [
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "completed_at",
    "created_at",
    "labels",
    "project",
    "ref",
    "parent",
    "due_time",
    "recurrence",
    "recurrence_basis",
]
CURSOR_MAX_AGE = timedelta(days=7)
_CURSOR_SALT = "tms.tasks.export"
# Bytes kept free in a part for its end: the `next` URL (its cursor is a few hundred bytes).
_TRAILER_ROOM = 4096
# Tasks read per query while a part is written.
_CHUNK = 500

# A task's place in the export order: its container (0 = the Inbox, else the project id), then
# (status, position, id) of each task from its top-level ancestor down to itself.
SortKey = tuple[Any, ...]


@dataclass(frozen=True)
class ExportPart:
    """Which part to write: of which export, and where in the order it begins (None: the start)."""

    export: str
    number: int
    start: SortKey | None

    @classmethod
    def first(cls) -> "ExportPart":
        return cls(export=f"{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(6)}", number=1, start=None)


def task_ref(task_id: int) -> str:
    return f"t{task_id}"


def project_ref(project_id: int) -> str:
    return f"p{project_id}"


# -- cursors -----------------------------------------------------------------------------------------
def cursor_for(owner_id: int, part: ExportPart) -> str:
    """A signed token for ``part``; only ``owner_id`` can use it, for CURSOR_MAX_AGE."""
    payload = {"u": owner_id, "e": part.export, "n": part.number, "k": part.start}
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def part_from_cursor(owner_id: int, cursor: str) -> ExportPart:
    """The part a cursor names; TaskInvalid (400 naming ``cursor``) for a forged, foreign or old one."""
    try:
        payload = signing.loads(cursor, salt=_CURSOR_SALT, max_age=CURSOR_MAX_AGE)
        if payload["u"] != owner_id:
            raise ValueError("another account's cursor")
        container, *path = payload["k"]
        start = (int(container), *(tuple(step) for step in path))
        return ExportPart(export=str(payload["e"]), number=int(payload["n"]), start=start)
    except signing.SignatureExpired as exc:
        raise TaskInvalid(
            {"cursor": ["This export cursor is older than 7 days: export again from the first part."]}
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise TaskInvalid({"cursor": ["This cursor is not one of your exports' `next` links."]}) from exc


# -- what is exported, in which order -----------------------------------------------------------------
def exported_tasks(owner_id: int) -> QuerySet[Task]:
    """The account's tasks outside the trash: its Inbox and the projects it owns (outside the trash)."""
    return Task.objects.filter(owner_id=owner_id, trashed_at__isnull=True).filter(
        Q(project__isnull=True) | Q(project__owner_id=owner_id, project__trashed_at__isnull=True)
    )


def exported_projects(owner_id: int) -> list[Project]:
    return list(Project.objects.filter(owner_id=owner_id, trashed_at__isnull=True).order_by("pk"))


class ExportOrder:
    """Every exported task's id in export order, from one query of ids, parents and board places.

    Projects by id (the Inbox first); in each, top-level tasks in board order (status, position),
    each followed depth first by its sub-tasks. A parent that is not exported (it cannot be, but
    the file must stay importable) makes its sub-task a top-level one.
    """

    def __init__(self, owner_id: int) -> None:
        rows = exported_tasks(owner_id).values_list("pk", "parent_id", "project_id", "status", "position")
        self.place: dict[int, tuple[int, str, int]] = {}
        raw_parent: dict[int, int | None] = {}
        for pk, parent_id, project_id, status, position in rows:
            self.place[pk] = (project_id or 0, status, position)
            raw_parent[pk] = parent_id
        self.parent: dict[int, int | None] = {
            pk: parent if parent in self.place and self.place[parent][0] == self.place[pk][0] else None
            for pk, parent in raw_parent.items()
        }
        self.ids: list[int] = self._depth_first()

    def _depth_first(self) -> list[int]:
        children: dict[int | None, list[int]] = defaultdict(list)
        for pk, parent in self.parent.items():
            children[parent].append(pk)
        for siblings in children.values():
            siblings.sort(key=self._sibling_key)
        ordered: list[int] = []
        roots = children[None]
        stack = sorted(roots, key=lambda pk: (self.place[pk][0], self._sibling_key(pk)), reverse=True)
        while stack:
            pk = stack.pop()
            ordered.append(pk)
            stack.extend(reversed(children.get(pk, [])))
        return ordered

    def _sibling_key(self, pk: int) -> tuple[str, int, int]:
        _, status, position = self.place[pk]
        return (status, position, pk)

    def key(self, pk: int) -> SortKey:
        path: list[tuple[str, int, int]] = []
        node: int | None = pk
        while node is not None:
            path.append(self._sibling_key(node))
            node = self.parent[node]
        return (self.place[pk][0], *reversed(path))

    def index_of(self, start: SortKey | None) -> int:
        """Where a part beginning at ``start`` begins: the first task at or after it."""
        if start is None:
            return 0
        return bisect.bisect_left(self.ids, start, key=self.key)


def _tasks_between(owner_id: int, order: ExportOrder, start: int, end: int) -> Iterator[tuple[int, Task]]:
    """(index in the order, task) for order.ids[start:end], with the owner's own labels; two queries
    per _CHUNK tasks. A task gone since the order was read is left out."""
    labels = Prefetch("labels", queryset=Label.objects.filter(owner_id=owner_id).order_by("name", "pk"))
    reminders = Prefetch("reminders", queryset=Reminder.objects.order_by("pk"))
    for offset in range(start, end, _CHUNK):
        ids = order.ids[offset : min(end, offset + _CHUNK)]
        # By id alone, checked here: the order came from exported_tasks (a task whose project went to the
        # trash since went there with it), and with the owner in the query MariaDB read the whole
        # account through its owner index for every chunk.
        chunk = Task.objects.filter(pk__in=ids).prefetch_related(labels, reminders)
        found = {task.pk: task for task in chunk if task.owner_id == owner_id and task.trashed_at is None}
        for index, pk in enumerate(ids, offset):
            if pk in found:
                yield index, found[pk]


# -- rows ----------------------------------------------------------------------------------------------
def export_row(task: Task, parent_id: int | None) -> dict[str, Any]:
    return {
        "ref": task_ref(task.pk),
        "project": project_ref(task.project_id) if task.project_id else None,
        "parent": task_ref(parent_id) if parent_id else None,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": Task.Priority.name_of(task.priority),
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "due_time": task.due_time.strftime("%H:%M") if task.due_time is not None else None,
        "recurrence": task.recurrence,
        "recurrence_basis": task.recurrence_basis,
        "recurrence_done": task.recurrence_done,
        "reminders": [_reminder_row(reminder) for reminder in task.reminders.all()],
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "created_at": task.created_at.isoformat(),
        "labels": [{"name": label.name, "colour": label.colour} for label in task.labels.all()],
    }


def _reminder_row(reminder: Reminder) -> dict[str, Any]:
    if reminder.at is not None:
        return {"at": reminder.at.isoformat()}
    return {"before_minutes": reminder.before_minutes}


def project_row(project: Project) -> dict[str, Any]:
    return {
        "ref": project_ref(project.pk),
        "name": project.name,
        "description": project.description,
        "colour": project.colour,
        "archived": project.archived,
    }


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _part_head(part: ExportPart, projects: list[Project]) -> str:
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "export": part.export,
        "part": part.number,
    }
    rows = ",".join("\n" + _dumps(project_row(project)) for project in projects)
    return _dumps(header)[:-1] + ',\n"projects": [' + rows + ("\n" if rows else "") + '],\n"tasks": ['


def export_json(*, owner_id: int, part: ExportPart, next_url: Callable[[str], str]) -> Iterator[str]:
    """Stream one part: every project, then tasks from ``part.start`` while the part stays within
    MAX_IMPORT_TASKS and TMS_MAX_IMPORT_BYTES (at least one task, so an export always advances);
    ``next`` is ``next_url(cursor)`` of the following part, or null."""
    order = ExportOrder(owner_id)
    start = order.index_of(part.start)
    end = min(len(order.ids), start + MAX_IMPORT_TASKS)
    head = _part_head(part, exported_projects(owner_id))
    yield head
    room = settings.TMS_MAX_IMPORT_BYTES - _TRAILER_ROOM - len(head.encode())
    separator, cut = "", end
    for index, task in _tasks_between(owner_id, order, start, end):
        text = separator + "\n" + _dumps(export_row(task, order.parent[task.pk]))
        size = len(text.encode())
        if separator and size > room:
            cut = index
            break
        yield text
        room -= size
        separator = ","
    following = None
    if cut < len(order.ids):
        following = next_url(
            cursor_for(owner_id, ExportPart(part.export, part.number + 1, order.key(order.ids[cut])))
        )
    yield '\n],\n"next": ' + _dumps(following) + "}\n"


def export_csv(*, owner_id: int) -> Iterator[str]:
    """Every task in one file, in the JSON export's order; ``project`` is the project's name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    order = ExportOrder(owner_id)
    names = {project.pk: project.name for project in exported_projects(owner_id)}
    writer.writerow(CSV_COLUMNS)
    yield flush()
    for _, task in _tasks_between(owner_id, order, 0, len(order.ids)):
        row = export_row(task, order.parent[task.pk])
        row["labels"] = ";".join(label["name"] for label in row["labels"])
        row["project"] = names.get(task.project_id, "") if task.project_id else ""
        writer.writerow([_csv_safe(row[column]) for column in CSV_COLUMNS])
        yield flush()


def _csv_safe(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value if value is not None else ""
