"""Import one JSON export part (tasks.services.transfer): its projects, tasks and hierarchy.

Everything is created for, and owned by, the importer; assignees and comments do not travel.
A project of the file goes into the importer's own project of the same name (any case) when
there is one — which keeps its name, description, colour and archived state — and is created
otherwise. That is also how the parts of one export meet the projects the first part created.

A task's ``parent`` names a task earlier in the same file, or — for a part of a large export — a
task imported from an earlier part of the same export: each imported task's history entry records
its export, part and ref, which is how they are found again (``source`` in the ``imported`` entry).
The hierarchy rules of the API hold: a parent comes before its sub-tasks, in the same project,
at most four levels deep; a file breaking them is refused with 400 naming each bad row.

One request is all or nothing: the rows are checked, then the quotas (tasks, labels and projects)
under the owner's lock, before the first write. A part already imported into the account (outside
the trash) is refused with 409, so a retried upload never duplicates tasks.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks import access, positions
from tasks.errors import ProjectNameTaken, QuotaExceeded, TaskInvalid
from tasks.models import Label, Project, ProjectMember, Reminder, Task, TaskEvent
from tasks.notifications import schedule
from tasks.recurrence import local_moment
from tasks.services import history, quotas
from tasks.services.hierarchy import MAX_LEVELS
from tasks.services.timing import time_snapshot
from tms_project.errors import Conflict
from tms_project.metrics import TASKS_CREATED

# Spacing of imported positions: never a multiple of positions.GAP, so never a clock position.
_SPACING = 1024


class AlreadyImported(Conflict):
    code = "already_imported"


class ProjectInTrash(Conflict):
    code = "project_in_trash"


class ImportInvalid(TaskInvalid):
    """Rows that break a reference rule, by index: ``{"tasks": {"3": {"parent": [...]}}}``."""

    def __init__(self, rows: dict[str, dict[str, list[str]]]) -> None:
        fields: Any = {"tasks": rows}  # InvalidInput's fields, one level deeper for rows
        super().__init__(fields)


@dataclass(frozen=True)
class Source:
    """Where a file comes from: its export and part (absent for hand-made and version 1 files)."""

    export: str
    part: int


@dataclass(frozen=True)
class NewProject:
    ref: str
    name: str
    description: str
    colour: str
    archived: bool


# A row's project: an existing project's id, one to create, or None for the Inbox.
Target = int | NewProject | None


@dataclass
class _Parent:
    """A row's parent: a row of this file (its index) or a task imported before (its id)."""

    row: int | None = None
    task_id: int | None = None


@dataclass
class Plan:
    projects: dict[str, Target] = field(default_factory=dict)
    new_projects: list[NewProject] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    parents: list[_Parent] = field(default_factory=list)
    levels: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    tasks: list[Task]
    labels_created: int
    projects_created: int
    # A later part of an export whose previous part is in the account: one import, in parts.
    continues_export: bool


def _imported_events(owner_id: int, export: str) -> QuerySet[TaskEvent]:
    """History entries of the tasks imported from ``export`` that are in the account, outside the trash."""
    return TaskEvent.objects.filter(
        kind=TaskEvent.Kind.IMPORTED,
        task__owner_id=owner_id,
        task__trashed_at__isnull=True,
        changes__source__export=export,
    )


def imported_parts(owner_id: int, export: str) -> set[int]:
    parts = _imported_events(owner_id, export).values_list("changes__source__part", flat=True).distinct()
    return {int(part) for part in parts if part is not None}


# -- projects ------------------------------------------------------------------------------------------
def plan_projects(owner_id: int, specs: list[dict[str, Any]], used: set[str]) -> Plan:
    """Each of the file's projects: the importer's project of that name, or a new one.

    A name of a project in the importer's trash is refused if the file has tasks for it (they would
    land in the trash), and otherwise left out.
    """
    owned = {project.name.lower(): project for project in Project.objects.filter(owner_id=owner_id)}
    plan = Plan()
    for spec in specs:
        existing = owned.get(spec["name"].lower())
        if existing is not None and existing.trashed_at is not None and spec["ref"] in used:
            raise ProjectInTrash(
                f"Your project {existing.name!r} is in the trash, and this file has tasks for a project of"
                " that name: restore it (or delete it for good), then import again."
            )
        if existing is not None and existing.trashed_at is not None:
            continue
        if existing is not None:
            plan.projects[spec["ref"]] = existing.pk
            continue
        new = NewProject(spec["ref"], spec["name"], spec["description"], spec["colour"], spec["archived"])
        plan.projects[spec["ref"]] = new
        plan.new_projects.append(new)
    quota = settings.TMS_QUOTA_PROJECTS
    if len(owned) + len(plan.new_projects) > quota:
        raise QuotaExceeded(
            f"The projects quota is {quota:,} per account: you have {len(owned):,}, and this would add"
            f" {len(plan.new_projects):,}. Delete some projects first (the trash counts too)."
        )
    return plan


# -- the hierarchy ---------------------------------------------------------------------------------------
def _levels_of(task_ids: Iterable[int]) -> dict[int, int]:
    """Each task's level (1 = top-level), walking up one query per level."""
    levels: dict[int, int] = {}
    # For each task still climbing: the ancestor reached so far.
    climbing = {task_id: task_id for task_id in task_ids}
    for depth in range(1, MAX_LEVELS + 2):
        if not climbing:
            break
        parents = dict(Task.objects.filter(pk__in=set(climbing.values())).values_list("pk", "parent_id"))
        for task_id, ancestor in list(climbing.items()):
            parent = parents.get(ancestor)
            if parent is None:
                levels[task_id] = depth
                del climbing[task_id]
            else:
                climbing[task_id] = parent
    return {**levels, **dict.fromkeys(climbing, MAX_LEVELS + 1)}


def _earlier_parts(
    owner_id: int, source: Source | None, refs: set[str]
) -> dict[str, tuple[int, int | None, int]]:
    """Parents named by ref that were imported from earlier parts of this export:
    ref -> (task id, project id, level). The latest import of a ref wins."""
    if source is None or not refs:
        return {}
    found = (
        _imported_events(owner_id, source.export)
        .filter(changes__source__ref__in=sorted(refs))
        .order_by("pk")
        .values_list("changes__source__ref", "changes__source__part", "task_id", "task__project_id")
    )
    by_ref = {
        ref: (task_id, project_id)
        for ref, part, task_id, project_id in found
        if part is not None and int(part) < source.part
    }
    levels = _levels_of(task_id for task_id, _ in by_ref.values())
    return {ref: (task_id, project_id, levels[task_id]) for ref, (task_id, project_id) in by_ref.items()}


def _check_row(
    plan: Plan,
    row: dict[str, Any],
    rows_by_ref: dict[str, int],
    earlier: dict[str, tuple[int, int | None, int]],
) -> tuple[Target, _Parent, int, dict[str, list[str]]]:
    """A row's project, parent, level, and what is wrong with them."""
    problems: dict[str, list[str]] = {}
    target: Target = None
    if row.get("project") is not None:
        if row["project"] not in plan.projects:
            problems["project"] = [f"No project has the ref {row['project']!r} in this file's projects."]
        target = plan.projects.get(row["project"])
    parent, level = _Parent(), 1
    ref = row.get("parent")
    if ref is None:
        return target, parent, level, problems
    if ref in rows_by_ref:
        parent.row = rows_by_ref[ref]
        parent_target, level = plan.targets[parent.row], plan.levels[parent.row] + 1
    elif ref in earlier:
        parent.task_id, parent_target, parent_level = earlier[ref]
        level = parent_level + 1
    else:
        problems["parent"] = [
            (
                f"No task with the ref {ref!r} comes before this row in this file or in an earlier imported"
                " part of its export (a parent comes before its sub-tasks: import the parts in order)."
            )
        ]
        return target, parent, level, problems
    if parent_target != target and "project" not in problems:
        problems["parent"] = ["A sub-task's parent must be a task of the same project."]
    elif level > MAX_LEVELS:
        problems["parent"] = [f"Sub-tasks go at most {MAX_LEVELS} levels deep."]
    return target, parent, level, problems


def plan_rows(owner_id: int, source: Source | None, rows: list[dict[str, Any]], plan: Plan) -> None:
    """Resolve every row's project and parent into ``plan``; ImportInvalid naming each bad row."""
    all_refs = {row["ref"] for row in rows if row.get("ref") is not None}
    outside = {row["parent"] for row in rows if row.get("parent") is not None} - all_refs
    earlier = _earlier_parts(owner_id, source, outside)
    errors: dict[str, dict[str, list[str]]] = {}
    rows_by_ref: dict[str, int] = {}
    for index, row in enumerate(rows):
        target, parent, level, problems = _check_row(plan, row, rows_by_ref, earlier)
        ref = row.get("ref")
        if ref is not None and ref in rows_by_ref:
            problems["ref"] = ["Another task of this file has this ref."]
        elif ref is not None:
            rows_by_ref[ref] = index
        plan.targets.append(target)
        plan.parents.append(parent)
        plan.levels.append(level)
        if problems:
            errors[str(index)] = problems
    if errors:
        raise ImportInvalid(errors)


# -- writes --------------------------------------------------------------------------------------------
def _missing_labels(owner_id: int, rows: list[dict[str, Any]]) -> tuple[dict[str, Label], list[Label]]:
    """The owner's labels by lower-case name, and those the rows name and lack (within the quota)."""
    names = {label["name"].lower(): label for row in rows for label in row.get("labels", [])}
    labels = list(Label.objects.filter(owner_id=owner_id))
    existing = {label.name.lower(): label for label in labels}
    missing = [
        Label(owner_id=owner_id, name=spec["name"], colour=spec["colour"])
        for key, spec in names.items()
        if key not in existing
    ]
    quotas.ensure_label_room(owner_id=owner_id, adding=len(missing), have=len(labels))
    return existing, missing


def _create_projects(owner_id: int, plan: Plan) -> dict[str, int]:
    """Create the plan's new projects (with the owner's membership); ref -> project id of every ref."""
    projects = [
        Project(
            owner_id=owner_id,
            name=new.name,
            description=new.description,
            colour=new.colour,
            archived=new.archived,
        )
        for new in plan.new_projects
    ]
    try:
        with transaction.atomic():
            created = Project.objects.bulk_create(projects)
    except IntegrityError as exc:  # a project renamed to one of these names a moment ago
        raise ProjectNameTaken("A project of this file was given its name meanwhile; import again.") from exc
    if any(project.pk is None for project in created):  # MySQL returns no ids from a bulk insert
        names = [project.name for project in projects]
        created = list(Project.objects.filter(owner_id=owner_id, name__in=names))
    ids = {project.name.lower(): project.pk for project in created}
    ProjectMember.objects.bulk_create(
        [ProjectMember(project_id=pk, user_id=owner_id, role=access.OWNER) for pk in ids.values()]
    )
    return {
        ref: ids[target.name.lower()] if isinstance(target, NewProject) else target
        for ref, target in plan.projects.items()
        if target is not None
    }


def _new_task(owner_id: int, row: dict[str, Any], position: int, time_zone: str) -> Task:
    due_date, due_time = row.get("due_date"), row.get("due_time")
    task = Task(
        owner_id=owner_id,
        title=row["title"],
        description=row.get("description", ""),
        status=row["status"],
        priority=row["priority"],
        due_date=due_date,
        due_time=due_time,
        due_at=local_moment(due_date, due_time, time_zone) if due_date is not None else None,
        recurrence=row.get("recurrence", ""),
        recurrence_basis=row.get("recurrence_basis", "due"),
        recurrence_done=row.get("recurrence_done", 0),
        position=position,
    )
    done = row["status"] == Task.Status.DONE
    task.completed_at = (row.get("completed_at") or timezone.now()) if done else None
    return task


def _insert_tasks(
    owner_id: int, rows: list[dict[str, Any]], plan: Plan, project_ids: dict[str, int]
) -> list[Task]:
    """Insert the rows' tasks level by level (parents first); the saved tasks in row order."""
    # Positions in row order that never equal a clock position, so the imported rows can be found
    # again on databases that return no ids from a bulk insert.
    start = positions.position_now() + 1
    timed = any(row.get("due_time") is not None for row in rows)
    time_zone = schedule.owner_time_zone(owner_id) if timed else "UTC"
    saved: list[Task | None] = [None] * len(rows)
    for level in range(1, MAX_LEVELS + 1):
        indexes = [index for index, row_level in enumerate(plan.levels) if row_level == level]
        if not indexes:
            break
        batch = []
        for index in indexes:
            task = _new_task(owner_id, rows[index], start + index * _SPACING, time_zone)
            project_ref = rows[index].get("project")
            task.project_id = project_ids.get(project_ref) if project_ref is not None else None
            parent = plan.parents[index]
            parent_task = saved[parent.row] if parent.row is not None else None
            task.parent_id = parent_task.pk if parent_task is not None else parent.task_id
            batch.append(task)
        created = Task.objects.bulk_create(batch, batch_size=500)
        if any(task.pk is None for task in created):  # MySQL returns no ids from a bulk insert
            wanted = [task.position for task in batch]
            by_position = {t.position: t for t in Task.objects.filter(owner_id=owner_id, position__in=wanted)}
            created = [by_position[task.position] for task in batch]
        for index, task in zip(indexes, created, strict=True):
            saved[index] = task
    return [task for task in saved if task is not None]


def _link_labels(created: list[Task], rows: list[dict[str, Any]], labels: dict[str, Label]) -> None:
    through = Task.labels.through
    links = [
        through(task_id=task.pk, label_id=labels[label["name"].lower()].pk)
        for task, row in zip(created, rows, strict=True)
        for label in row.get("labels", [])
    ]
    through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)


def _add_reminders(created: list[Task], rows: list[dict[str, Any]]) -> None:
    """The rows' reminders, scheduled as the API schedules them (an old moment is not sent)."""
    reminders = [
        Reminder(task_id=task.pk, before_minutes=spec.get("before_minutes"), at=spec.get("at"))
        for task, row in zip(created, rows, strict=True)
        for spec in row.get("reminders", [])
    ]
    if reminders:
        Reminder.objects.bulk_create(reminders, batch_size=500)
        schedule.reschedule_tasks(sorted({reminder.task_id for reminder in reminders}))


def _record(
    created: list[Task], rows: list[dict[str, Any]], actor_id: int | None, source: Source | None
) -> None:
    events = []
    for task, row in zip(created, rows, strict=True):
        changes = history.snapshot(task) | time_snapshot(task)
        if source is not None:
            changes["source"] = {"export": source.export, "part": source.part}
            if row.get("ref") is not None:
                changes["source"]["ref"] = row["ref"]
        events.append(history.event(task, actor_id, TaskEvent.Kind.IMPORTED, changes))
    history.record_many(events)


@transaction.atomic
def tasks_import(*, owner_id: int, actor_id: int | None, document: dict[str, Any]) -> ImportResult:
    """Create a validated file (see tasks.transfer_serializers.ImportSerializer) for ``owner_id``.

    Refuses a part already imported (409 already_imported), a project name in the trash (409),
    rows breaking a reference rule (400 by row) and an import past a quota (409), before writing.
    """
    rows: list[dict[str, Any]] = document["tasks"]
    source = Source(document["export"], document.get("part", 1)) if document.get("export") else None
    quotas.lock_owner(owner_id)
    done_parts = imported_parts(owner_id, source.export) if source is not None else set()
    if source is not None and source.part in done_parts:
        raise AlreadyImported(
            f"Part {source.part} of export {source.export} is already in your account (outside the trash);"
            " import the next part, or trash those tasks to import it again."
        )
    used = {row["project"] for row in rows if row.get("project") is not None}
    plan = plan_projects(owner_id, document.get("projects", []), used)
    plan_rows(owner_id, source, rows, plan)
    quotas.ensure_task_room(owner_id=owner_id, adding=len(rows))
    labels, missing = _missing_labels(owner_id, rows)
    # Checks end here; writes begin.
    project_ids = _create_projects(owner_id, plan)
    for label in Label.objects.bulk_create(missing):
        labels[label.name.lower()] = label
    if any(label.pk is None for label in labels.values()):  # MySQL: read the new labels back
        labels = {label.name.lower(): label for label in Label.objects.filter(owner_id=owner_id)}
    created = _insert_tasks(owner_id, rows, plan, project_ids)
    _link_labels(created, rows, labels)
    _add_reminders(created, rows)
    _record(created, rows, actor_id, source)
    transaction.on_commit(lambda: TASKS_CREATED.labels("import").inc(len(created)))
    return ImportResult(
        tasks=created,
        labels_created=len(missing),
        projects_created=len(plan.new_projects),
        continues_export=source is not None and source.part - 1 in done_parts,
    )
