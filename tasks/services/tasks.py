"""Task writes: create, update, complete, reopen, move, trash, restore, purge.

Each runs in one transaction that also writes the history entry, and bumps the
task's ``version`` (its ETag). Status and completion stay consistent here and
only here: a task is ``done`` exactly when ``completed_at`` is set.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks import positions
from tasks.errors import OwnerGone, TaskChanged, TaskInvalid, TaskNotFound
from tasks.models import Label, Task, TaskEvent
from tasks.services import history, quotas
from tms_project.metrics import TASKS_CREATED


def _apply_status(task: Task, status: str) -> None:
    if status == Task.Status.DONE and task.status != Task.Status.DONE:
        task.completed_at = timezone.now()
    elif status != Task.Status.DONE:
        task.completed_at = None
    task.status = status


def _locked(*, owner_id: int, task_id: int, trashed: bool = False) -> Task:
    """The owner's task, row-locked for this transaction; TaskNotFound for anyone else's."""
    task = (
        Task.objects.select_for_update()
        .filter(owner_id=owner_id, pk=task_id, trashed_at__isnull=not trashed)
        .first()
    )
    if task is None:
        raise TaskNotFound
    return task


def _check_version(task: Task, if_match: list[int] | None) -> None:
    if if_match is not None and task.version not in if_match:
        raise TaskChanged


def _save(task: Task, fields: Iterable[str]) -> None:
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated_at"])


def owner_labels(*, owner_id: int, label_ids: list[int]) -> list[Label]:
    """The owner's labels with these ids; 400 naming the ones that are not theirs."""
    wanted = set(label_ids)
    if not wanted:
        return []
    labels = list(Label.objects.filter(owner_id=owner_id, pk__in=wanted))
    missing = sorted(wanted - {label.pk for label in labels})
    if missing:
        raise TaskInvalid({"labels": [f"Unknown label id(s): {', '.join(map(str, missing))}."]})
    return labels


def _cache_labels(task: Task, labels: list[Label]) -> None:
    # The response shows the labels just written without reading them back.
    task._prefetched_objects_cache = {"labels": sorted(labels, key=lambda label: label.name.lower())}


def task_create(
    *,
    owner_id: int,
    actor_id: int | None,
    title: str,
    description: str = "",
    status: str = Task.Status.TODO,
    priority: int = Task.Priority.NONE,
    due_date: date | None = None,
    labels: list[int] | None = None,
) -> Task:
    task = Task(
        owner_id=owner_id,
        title=title,
        description=description,
        priority=priority,
        due_date=due_date,
        position=positions.position_now(),
    )
    _apply_status(task, status)
    try:
        with transaction.atomic():
            quotas.lock_owner(owner_id)
            quotas.ensure_task_room(owner_id=owner_id, adding=1)
            label_objects = owner_labels(owner_id=owner_id, label_ids=labels or [])
            task.save(force_insert=True)
            if label_objects:
                task.labels.add(*label_objects)
            changes = history.snapshot(task)
            if label_objects:
                changes["labels"] = history.label_names(label_objects)
            history.record(task, actor_id, TaskEvent.Kind.CREATED, changes)
            transaction.on_commit(TASKS_CREATED.labels("api").inc)
    except IntegrityError as exc:
        # A valid access token can outlive its account by a few minutes.
        raise OwnerGone from exc
    _cache_labels(task, label_objects)
    return task


@transaction.atomic
def task_update(
    *,
    owner_id: int,
    task_id: int,
    actor_id: int | None,
    data: dict[str, Any],
    if_match: list[int] | None = None,
) -> Task:
    """Set the given fields (a PATCH subset, or every writable field for PUT)."""
    task = _locked(owner_id=owner_id, task_id=task_id)
    _check_version(task, if_match)
    before = history.snapshot(task)
    label_ids = data.pop("labels", None)
    status = data.pop("status", None)
    for field, value in data.items():
        setattr(task, field, value)
    if status is not None:
        _apply_status(task, status)
    changes = history.diff(before, history.snapshot(task))
    if label_ids is not None:
        old_labels = list(task.labels.all())
        new_labels = owner_labels(owner_id=owner_id, label_ids=label_ids)
        if {label.pk for label in old_labels} != {label.pk for label in new_labels}:
            task.labels.set(new_labels)
            changes["labels"] = [history.label_names(old_labels), history.label_names(new_labels)]
        _cache_labels(task, new_labels)
    if changes:
        _save(task, [*data, "status", "completed_at"])
        history.record(task, actor_id, TaskEvent.Kind.UPDATED, changes)
    return task


def _set_status(owner_id: int, task_id: int, actor_id: int | None, status: str, kind: str) -> Task:
    task = _locked(owner_id=owner_id, task_id=task_id)
    if (task.status == Task.Status.DONE) == (status == Task.Status.DONE):
        return task  # already there: nothing to record
    before = task.status
    _apply_status(task, status)
    _save(task, ["status", "completed_at"])
    history.record(task, actor_id, kind, {"status": [before, task.status]})
    return task


@transaction.atomic
def task_complete(*, owner_id: int, task_id: int, actor_id: int | None) -> Task:
    return _set_status(owner_id, task_id, actor_id, Task.Status.DONE, TaskEvent.Kind.COMPLETED)


@transaction.atomic
def task_reopen(*, owner_id: int, task_id: int, actor_id: int | None) -> Task:
    return _set_status(owner_id, task_id, actor_id, Task.Status.TODO, TaskEvent.Kind.REOPENED)


def _neighbour(owner_id: int, task_id: int | None, status: str, field: str) -> Task | None:
    if task_id is None:
        return None
    neighbour = Task.objects.filter(
        owner_id=owner_id, pk=task_id, status=status, trashed_at__isnull=True
    ).first()
    if neighbour is None:
        raise TaskInvalid({field: [f"There is no task {task_id} in the {status} column."]})
    return neighbour


def _renumber_column(owner_id: int, status: str) -> None:
    column = list(
        Task.objects.select_for_update()
        .filter(owner_id=owner_id, status=status, trashed_at__isnull=True)
        .order_by("position", "pk")
    )
    start = column[0].position if column else 0
    for task, position in zip(column, positions.spread(len(column), start), strict=True):
        task.position = position
    Task.objects.bulk_update(column, ["position"], batch_size=500)


def _refuse_self_neighbour(task: Task, before_id: int | None, after_id: int | None) -> None:
    for field, neighbour_id in (("before_id", before_id), ("after_id", after_id)):
        if neighbour_id == task.pk:
            raise TaskInvalid({field: ["A task cannot be its own neighbour."]})


def _neighbours(
    owner_id: int, task: Task, target: str, before_id: int | None, after_id: int | None
) -> tuple[Task | None, Task | None]:
    """The tasks that will be right above and right below ``task`` in column ``target``.

    With one neighbour given, the other is the task next to it; with none, the task
    goes to the end of the column.
    """
    below = _neighbour(owner_id, before_id, target, "before_id")
    above = _neighbour(owner_id, after_id, target, "after_id")
    column = Task.objects.filter(owner_id=owner_id, status=target, trashed_at__isnull=True).exclude(
        pk=task.pk
    )
    if above is not None and below is None and before_id is None:
        below = column.filter(position__gt=above.position).order_by("position", "pk").first()
    elif below is not None and above is None and after_id is None:
        above = column.filter(position__lt=below.position).order_by("-position", "-pk").first()
    elif above is None and below is None:
        above = column.order_by("-position", "-pk").first()
    if above is not None and below is not None and above.position >= below.position:
        raise TaskInvalid({"before_id": ["before_id must come after after_id in the column."]})
    return above, below


def _free_position(
    owner_id: int, task: Task, target: str, before_id: int | None, after_id: int | None
) -> int:
    """A position between the new neighbours, renumbering the column once when there is no room."""
    for _attempt in range(2):
        above, below = _neighbours(owner_id, task, target, before_id, after_id)
        position = positions.between(above.position if above else None, below.position if below else None)
        if position is not None:
            return position
        _renumber_column(owner_id, target)
        task.refresh_from_db(fields=["position"])
    # Renumbering leaves GAP between every two neighbours, so the second attempt always finds room.
    raise RuntimeError(f"No free position in the {target!r} column after renumbering it.")


@transaction.atomic
def task_move(
    *,
    owner_id: int,
    task_id: int,
    actor_id: int | None,
    status: str | None = None,
    before_id: int | None = None,
    after_id: int | None = None,
) -> Task:
    """Put the task between ``after_id`` (above) and ``before_id`` (below) in column ``status``."""
    task = _locked(owner_id=owner_id, task_id=task_id)
    target = status or task.status
    _refuse_self_neighbour(task, before_id, after_id)
    position = _free_position(owner_id, task, target, before_id, after_id)
    changes: dict[str, list[Any]] = {"position": [task.position, position]}
    if target != task.status:
        changes["status"] = [task.status, target]
        _apply_status(task, target)
    task.position = position
    _save(task, ["position", "status", "completed_at"])
    history.record(task, actor_id, TaskEvent.Kind.MOVED, changes)
    return task


@transaction.atomic
def task_trash(
    *, owner_id: int, task_id: int, actor_id: int | None, if_match: list[int] | None = None
) -> Task:
    task = _locked(owner_id=owner_id, task_id=task_id)
    _check_version(task, if_match)
    task.trashed_at = timezone.now()
    _save(task, ["trashed_at"])
    history.record(task, actor_id, TaskEvent.Kind.TRASHED)
    return task


@transaction.atomic
def task_restore(*, owner_id: int, task_id: int, actor_id: int | None) -> Task:
    task = _locked(owner_id=owner_id, task_id=task_id, trashed=True)
    task.trashed_at = None
    _save(task, ["trashed_at"])
    history.record(task, actor_id, TaskEvent.Kind.RESTORED)
    return task


@transaction.atomic
def task_purge(*, owner_id: int, task_id: int) -> None:
    """Delete a trashed task for good, with its history."""
    _locked(owner_id=owner_id, task_id=task_id, trashed=True).delete()


def trash_purge_older_than(*, days: int) -> int:
    """Delete every task trashed more than ``days`` ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(Task.objects.filter(trashed_at__lt=cutoff).values_list("pk", flat=True)[:1000])
        if not ids:
            return deleted
        with transaction.atomic():
            Task.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
