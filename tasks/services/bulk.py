"""One action on many tasks, all or nothing, in a constant number of queries."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from tasks.errors import TaskInvalid, TaskNotFound
from tasks.models import Label, Task, TaskEvent
from tasks.services import history
from tasks.services.quotas import MAX_LABELS_PER_TASK

MAX_BULK_IDS = 100
ACTIONS = (
    "complete",
    "reopen",
    "trash",
    "restore",
    "set_status",
    "set_priority",
    "add_label",
    "remove_label",
)


def _status_changes(tasks: list[Task], status: str) -> dict[int, dict]:
    return {task.pk: {"status": [task.status, status]} for task in tasks if task.status != status}


@transaction.atomic
def tasks_bulk_apply(
    *, owner_id: int, actor_id: int | None, ids: list[int], action: str, value: Any = None
) -> int:
    """Apply ``action`` to every task in ``ids``; 404 and no change if any is not the owner's.

    Returns how many tasks actually changed (some may already be in the wanted state).
    """
    wanted = set(ids)
    in_trash = action == "restore"
    tasks = list(
        Task.objects.select_for_update()
        .filter(owner_id=owner_id, pk__in=wanted, trashed_at__isnull=not in_trash)
        .prefetch_related("labels")
    )
    if len(tasks) != len(wanted):
        raise TaskNotFound()
    now = timezone.now()
    changed: dict[int, dict]  # task id -> history changes
    kind = TaskEvent.Kind.UPDATED
    update: dict[str, Any] = {}
    if action in ("complete", "reopen", "set_status"):
        status = {"complete": Task.Status.DONE, "reopen": Task.Status.TODO}.get(action, value)
        changed = _status_changes(tasks, status)
        if action == "reopen":  # only done tasks reopen
            changed = {pk: c for pk, c in changed.items() if c["status"][0] == Task.Status.DONE}
        kind = {"complete": TaskEvent.Kind.COMPLETED, "reopen": TaskEvent.Kind.REOPENED}.get(action, kind)
        done = status == Task.Status.DONE
        update = {"status": status, "completed_at": Coalesce(F("completed_at"), Now()) if done else None}
    elif action == "set_priority":
        changed = {
            t.pk: {
                "priority": [history.represent("priority", t.priority), history.represent("priority", value)]
            }
            for t in tasks
            if t.priority != value
        }
        update = {"priority": value}
    elif action in ("trash", "restore"):
        changed = {t.pk: {} for t in tasks}
        kind = TaskEvent.Kind.TRASHED if action == "trash" else TaskEvent.Kind.RESTORED
        update = {"trashed_at": now if action == "trash" else None}
    else:  # add_label / remove_label
        label = Label.objects.filter(owner_id=owner_id, pk=value).first()
        if label is None:
            raise TaskInvalid({"value": [f"There is no label {value}."]})
        changed = {}
        full = []  # tasks that already carry as many labels as a task may
        for task in tasks:
            before = history.label_names(task.labels.all())
            has = label.name in before
            if action == "add_label" and not has and len(before) >= MAX_LABELS_PER_TASK:
                full.append(task.pk)
            if (action == "add_label") != has:
                after = (
                    sorted({*before, label.name})
                    if action == "add_label"
                    else [n for n in before if n != label.name]
                )
                changed[task.pk] = {"labels": [before, after]}
        if full:
            raise TaskInvalid(
                {
                    "value": [
                        f"A task has at most {MAX_LABELS_PER_TASK} labels; "
                        f"task(s) {', '.join(map(str, sorted(full)))} already have {MAX_LABELS_PER_TASK}."
                    ]
                }
            )
        kind = TaskEvent.Kind.LABELS
        through = Task.labels.through
        if action == "add_label":
            through.objects.bulk_create([through(task_id=pk, label_id=label.pk) for pk in changed])
        else:
            through.objects.filter(task_id__in=list(changed), label_id=label.pk).delete()
    if changed:
        Task.objects.filter(pk__in=list(changed)).update(**update, version=F("version") + 1, updated_at=now)
        by_id = {task.pk: task for task in tasks}
        history.record_many(
            [history.event(by_id[pk], actor_id, kind, changes) for pk, changes in changed.items()]
        )
    return len(changed)
