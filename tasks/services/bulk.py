"""One action on many tasks, all or nothing, in a constant number of queries.

Each action is one small function chosen from ``ACTION_PLANS``: it reads the locked
tasks and answers what changes (history entries and the column update), writing
label links itself; ``tasks_bulk_apply`` then updates and records in one go.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from tasks import access
from tasks.errors import ParentInTrash, TaskInvalid, TaskNotFound
from tasks.models import Label, Task, TaskEvent
from tasks.notifications import schedule
from tasks.services import history
from tasks.services.hierarchy import descendant_ids
from tasks.services.quotas import MAX_LABELS_PER_TASK
from tasks.services.tasks import complete_repeating

MAX_BULK_IDS = 100


@dataclass(frozen=True)
class Plan:
    changed: dict[int, dict]  # task id -> history changes
    kind: str
    update: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    owner_id: int  # the person acting: their labels
    now: datetime


Action = Callable[[list[Task], Any, Context], Plan]


def _status_plan(tasks: list[Task], status: str, kind: str) -> Plan:
    done = status == Task.Status.DONE
    changed = {task.pk: {"status": [task.status, status]} for task in tasks if task.status != status}
    update = {"status": status, "completed_at": Coalesce(F("completed_at"), Now()) if done else None}
    return Plan(changed, kind, update)


def _complete(tasks: list[Task], value: Any, context: Context) -> Plan:
    return _status_plan(tasks, Task.Status.DONE, TaskEvent.Kind.COMPLETED)


def _reopen(tasks: list[Task], value: Any, context: Context) -> Plan:
    plan = _status_plan(tasks, Task.Status.TODO, TaskEvent.Kind.REOPENED)
    # only done tasks reopen
    changed = {pk: c for pk, c in plan.changed.items() if c["status"][0] == Task.Status.DONE}
    return Plan(changed, plan.kind, plan.update)


def _set_status(tasks: list[Task], value: Any, context: Context) -> Plan:
    return _status_plan(tasks, value, TaskEvent.Kind.UPDATED)


def _set_priority(tasks: list[Task], value: Any, context: Context) -> Plan:
    new = history.represent("priority", value)
    changed = {
        task.pk: {"priority": [history.represent("priority", task.priority), new]}
        for task in tasks
        if task.priority != value
    }
    return Plan(changed, TaskEvent.Kind.UPDATED, {"priority": value})


def _trash(tasks: list[Task], value: Any, context: Context) -> Plan:
    return Plan({task.pk: {} for task in tasks}, TaskEvent.Kind.TRASHED, {"trashed_at": context.now})


def _restore(tasks: list[Task], value: Any, context: Context) -> Plan:
    return Plan({task.pk: {} for task in tasks}, TaskEvent.Kind.RESTORED, {"trashed_at": None})


def _owned_label(owner_id: int, label_id: int) -> Label:
    label = Label.objects.filter(owner_id=owner_id, pk=label_id).first()
    if label is None:
        raise TaskInvalid({"value": [f"There is no label {label_id}."]})
    return label


def mine(task: Task, user_id: int) -> list[Label]:
    """The user's own labels on the task (labels are personal)."""
    return [label for label in task.labels.all() if label.owner_id == user_id]


def _refuse_full(full: list[int]) -> None:
    if full:
        raise TaskInvalid(
            {
                "value": [
                    (
                        f"A task has at most {MAX_LABELS_PER_TASK} labels; "
                        f"task(s) {', '.join(map(str, sorted(full)))} already have {MAX_LABELS_PER_TASK}."
                    )
                ]
            }
        )


def _add_label(tasks: list[Task], value: Any, context: Context) -> Plan:
    label = _owned_label(context.owner_id, value)
    changed = {}
    full = []  # tasks that already carry as many labels as a task may
    for task in tasks:
        before = history.label_names(mine(task, context.owner_id))
        if label.name in before:
            continue
        if len(before) >= MAX_LABELS_PER_TASK:
            full.append(task.pk)
        changed[task.pk] = {"labels": [before, sorted({*before, label.name})]}
    _refuse_full(full)
    through = Task.labels.through
    through.objects.bulk_create([through(task_id=pk, label_id=label.pk) for pk in changed])
    return Plan(changed, TaskEvent.Kind.LABELS)


def _remove_label(tasks: list[Task], value: Any, context: Context) -> Plan:
    label = _owned_label(context.owner_id, value)
    changed = {}
    for task in tasks:
        before = history.label_names(mine(task, context.owner_id))
        if label.name in before:
            changed[task.pk] = {"labels": [before, [n for n in before if n != label.name]]}
    Task.labels.through.objects.filter(task_id__in=list(changed), label_id=label.pk).delete()
    return Plan(changed, TaskEvent.Kind.LABELS)


# action name -> what it changes (the names, in this order, are the API's choices)
ACTION_PLANS: dict[str, Action] = {
    "complete": _complete,
    "reopen": _reopen,
    "trash": _trash,
    "restore": _restore,
    "set_status": _set_status,
    "set_priority": _set_priority,
    "add_label": _add_label,
    "remove_label": _remove_label,
}
ACTIONS = tuple(ACTION_PLANS)


def _locked_tasks(user_id: int, ids: list[int], *, in_trash: bool) -> list[Task]:
    """Every task of ``ids``, row-locked with its labels; TaskNotFound if the user may not read
    one of them, RoleTooLow if they may read it but not change it."""
    wanted = set(ids)
    tasks = list(
        access.readable_tasks(user_id, trashed=in_trash)
        .select_for_update()
        .filter(pk__in=wanted)
        .prefetch_related("labels")
    )
    if len(tasks) != len(wanted):
        raise TaskNotFound
    projects = {task.project_id for task in tasks if task.project_id is not None}
    if projects:
        roles = access.memberships(user_id).filter(project_id__in=projects).values_list("role", flat=True)
        for role in roles:
            access.require(role, access.EDITOR, "change these tasks")
    return tasks


@transaction.atomic
def tasks_bulk_apply(
    *, user_id: int, actor_id: int | None, ids: list[int], action: str, value: Any = None
) -> int:
    """Apply ``action`` to every task in ``ids``; 404 and no change if the user may not read one,
    403 if they may not change one. Trash and restore carry sub-tasks, as for one task.

    Returns how many tasks actually changed (some may already be in the wanted state).
    """
    tasks = _locked_tasks(user_id, ids, in_trash=action == "restore")
    if action == "restore":
        _refuse_parents_in_trash(tasks)
    now = timezone.now()
    repeated = _complete_repeating(tasks, action, value, actor_id)
    tasks = [task for task in tasks if task.pk not in repeated]
    plan = ACTION_PLANS[action](tasks, value, Context(owner_id=user_id, now=now))
    if plan.changed:
        Task.objects.filter(pk__in=list(plan.changed)).update(
            **plan.update, version=F("version") + 1, updated_at=now
        )
        by_id = {task.pk: task for task in tasks}
        # Labels are personal: on a shared task their change stays out of the shared history.
        history.record_many(
            [
                history.event(by_id[pk], actor_id, plan.kind, changes)
                for pk, changes in plan.changed.items()
                if not (plan.kind == TaskEvent.Kind.LABELS and by_id[pk].project_id is not None)
            ]
        )
    below = _carry_subtasks(tasks, action, now, actor_id)
    if action in _RESCHEDULING:
        changed = [*plan.changed, *below]
        if action == "trash" or _completing(action, value):
            schedule.unschedule(changed)  # one query: nothing to send for done or trashed tasks
        else:
            schedule.reschedule_tasks(changed)
    return len(plan.changed) + len(repeated)


# Actions that change what a reminder waits for (status, trash); a repeating task completed
# here has its reminders rescheduled by tasks.services.tasks as for one task.
_RESCHEDULING = ("complete", "reopen", "set_status", "trash", "restore")


def _completing(action: str, value: Any) -> bool:
    return action == "complete" or (action == "set_status" and value == Task.Status.DONE)


def _complete_repeating(tasks: list[Task], action: str, value: Any, actor_id: int | None) -> set[int]:
    """Complete the open repeating tasks one by one, as POST .../complete/ does: each moves on to
    its next occurrence with its own history entry. The ids of those that moved on (those whose
    rule is exhausted are left to the action, and end done)."""
    if not _completing(action, value):
        return set()
    kind = TaskEvent.Kind.COMPLETED
    moved = set()
    for task in tasks:
        if task.recurrence and task.status != Task.Status.DONE and complete_repeating(task, actor_id, kind):
            schedule.reschedule_task(task)
            moved.add(task.pk)
    return moved


def _refuse_parents_in_trash(tasks: list[Task]) -> None:
    """As for one task: a sub-task comes back with its parent, never alone into a trashed one
    (restoring both in the same request is fine)."""
    restoring = {task.pk for task in tasks}
    parents = {task.parent_id for task in tasks if task.parent_id is not None} - restoring
    if parents and Task.objects.filter(pk__in=parents, trashed_at__isnull=False).exists():
        raise ParentInTrash


def _carry_subtasks(tasks: list[Task], action: str, now: datetime, actor_id: int | None) -> list[int]:
    """Trash or restore the sub-tasks along with their parents; the ids of those carried."""
    if action == "trash":
        below = descendant_ids([task.pk for task in tasks], trashed_at_in=Q(trashed_at__isnull=True))
        update: dict[str, Any] = {"trashed_at": now}
    elif action == "restore":
        moments = {task.trashed_at for task in tasks}
        below = descendant_ids([task.pk for task in tasks], trashed_at_in=Q(trashed_at__in=moments))
        update = {"trashed_at": None}
    else:
        return []
    if below:
        Task.objects.filter(pk__in=below).update(**update, version=F("version") + 1, updated_at=now)
        kind = TaskEvent.Kind.TRASHED if action == "trash" else TaskEvent.Kind.RESTORED
        history.record_many([TaskEvent(task_id=pk, actor_id=actor_id, kind=kind) for pk in below])
    return below
