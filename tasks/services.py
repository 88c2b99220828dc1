"""Writes for tasks: create, update, complete, reopen, move, delete.

Each is one transaction. Status and completion stay consistent here and only
here: a task is ``done`` exactly when ``completed_at`` is set.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from tasks import positions
from tasks.models import Task


class OwnerGone(AuthenticationFailed):
    default_detail = "This account no longer exists."
    default_code = "account_deleted"


def _apply_status(task: Task, status: str) -> None:
    if status == Task.Status.DONE and task.status != Task.Status.DONE:
        task.completed_at = timezone.now()
    elif status != Task.Status.DONE:
        task.completed_at = None
    task.status = status


def task_create(
    *,
    owner_id: int,
    title: str,
    description: str = "",
    status: str = Task.Status.TODO,
    priority: int = Task.Priority.NONE,
    due_date: date | None = None,
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
            task.save(force_insert=True)
    except IntegrityError as exc:
        # A valid access token can outlive its account by a few minutes.
        raise OwnerGone() from exc
    return task


@transaction.atomic
def task_update(*, task: Task, data: dict[str, Any]) -> Task:
    """Set the given fields (a PATCH subset, or every writable field for PUT)."""
    status = data.pop("status", None)
    for field, value in data.items():
        setattr(task, field, value)
    if status is not None:
        _apply_status(task, status)
    task.save()
    return task


def task_complete(*, task: Task) -> Task:
    return task_update(task=task, data={"status": Task.Status.DONE})


def task_reopen(*, task: Task) -> Task:
    if task.status != Task.Status.DONE:
        return task
    return task_update(task=task, data={"status": Task.Status.TODO})


def _neighbour(owner_id: int, task_id: int | None, status: str, field: str) -> Task | None:
    if task_id is None:
        return None
    neighbour = Task.objects.filter(owner_id=owner_id, pk=task_id, status=status).first()
    if neighbour is None:
        raise ValidationError({field: [f"There is no task {task_id} in the {status} column."]})
    return neighbour


def _renumber_column(owner_id: int, status: str) -> None:
    column = list(
        Task.objects.select_for_update().filter(owner_id=owner_id, status=status).order_by("position", "pk")
    )
    start = column[0].position if column else 0
    for task, position in zip(column, positions.spread(len(column), start), strict=True):
        task.position = position
    Task.objects.bulk_update(column, ["position"], batch_size=500)


@transaction.atomic
def task_move(
    *, task: Task, status: str | None = None, before_id: int | None = None, after_id: int | None = None
) -> Task:
    """Put ``task`` between ``after_id`` (above) and ``before_id`` (below) in column ``status``.

    With one neighbour given, the other is the task next to it; with none, the
    task goes to the end of the column.
    """
    target = status or task.status
    if task.pk in (before_id, after_id):
        raise ValidationError(
            {"before_id" if task.pk == before_id else "after_id": ["A task cannot be its own neighbour."]}
        )
    for _attempt in range(2):
        below = _neighbour(task.owner_id, before_id, target, "before_id")
        above = _neighbour(task.owner_id, after_id, target, "after_id")
        column = Task.objects.filter(owner_id=task.owner_id, status=target).exclude(pk=task.pk)
        if above is not None and below is None and before_id is None:
            below = column.filter(position__gt=above.position).order_by("position", "pk").first()
        elif below is not None and above is None and after_id is None:
            above = column.filter(position__lt=below.position).order_by("-position", "-pk").first()
        elif above is None and below is None:
            above = column.order_by("-position", "-pk").first()
        if above is not None and below is not None and above.position >= below.position:
            raise ValidationError({"before_id": ["before_id must come after after_id in the column."]})
        position = positions.between(above.position if above else None, below.position if below else None)
        if position is not None:
            break
        _renumber_column(task.owner_id, target)
    task.position = position
    if target != task.status:
        _apply_status(task, target)
    task.save()
    return task


@transaction.atomic
def task_delete(*, task: Task) -> None:
    task.delete()
