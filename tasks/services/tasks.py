"""Task writes: create, update, complete, reopen, move, trash, restore, purge.

Each runs in one transaction that also writes the history entry, and bumps the
task's ``version`` (its ETag). Status and completion stay consistent here and
only here: a task is ``done`` exactly when ``completed_at`` is set. Who may write
is tasks.access's answer: ``user_id`` is the person asking.
"""

from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tasks import access, positions
from tasks.errors import OwnerGone, ParentInTrash, ProjectNotFound, TaskChanged, TaskInvalid, TaskNotFound
from tasks.models import Label, Project, RecurrenceBasis, Reminder, Task, TaskEvent
from tasks.notifications import schedule
from tasks.notifications.activity import notify_assigned
from tasks.notifications.schedule import OwnerZone
from tasks.selectors import ReminderRef, TaskDetails
from tasks.services import history, quotas
from tasks.services.board import free_position, refuse_self_neighbour
from tasks.services.hierarchy import check_parent, descendant_ids
from tasks.services.members import allowed_assignees, assignee_refs, unassign, valid_assignees
from tasks.services.timing import (
    REPEAT_FIELDS,
    check_due,
    next_repeat,
    reminder_text,
    set_reminders,
    time_changes,
    time_snapshot,
)
from tasks.webhooks import events as webhook_events
from tms_project.metrics import TASKS_CREATED


def _apply_status(task: Task, status: str) -> None:
    if status == Task.Status.DONE and task.status != Task.Status.DONE:
        task.completed_at = timezone.now()
    elif status != Task.Status.DONE:
        task.completed_at = None
    task.status = status


def _locked(*, user_id: int, task_id: int, needed: str = access.EDITOR, trashed: bool = False) -> Task:
    """The task, row-locked for this transaction, if the user's role allows ``needed``."""
    return access.task_for(user_id, task_id, needed, trashed=trashed, lock=True)[0]


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


def _project_for_task(user_id: int, project_id: int) -> Project:
    """A project the user may add tasks to; a 400 naming it if they are not a member, 403 below editor."""
    try:
        return access.project_for(user_id, project_id, access.EDITOR)[0]
    except ProjectNotFound as exc:
        raise TaskInvalid({"project": [f"There is no project {project_id}."]}) from exc


def _parent_for_task(user_id: int, parent_id: int) -> Task:
    try:
        return access.task_for(user_id, parent_id, access.VIEWER)[0]
    except TaskNotFound as exc:
        raise TaskInvalid({"parent": [f"There is no task {parent_id}."]}) from exc


def _placement(user_id: int, project_id: int | None, parent_id: int | None) -> tuple[int, Task | None]:
    """The owner (whose quota counts) and parent of a new task in ``project_id`` under ``parent_id``."""
    parent = _parent_for_task(user_id, parent_id) if parent_id is not None else None
    if parent is not None:
        if project_id is not None and project_id != parent.project_id:
            raise TaskInvalid({"parent": ["A sub-task's parent must be a task of the same project."]})
        project_id = parent.project_id
    if project_id is None:
        return user_id, parent
    return _project_for_task(user_id, project_id).owner_id, parent


def task_create(
    *,
    user_id: int,
    actor_id: int | None,
    title: str,
    description: str = "",
    status: str = Task.Status.TODO,
    priority: int = Task.Priority.NONE,
    due_date: date | None = None,
    due_time: time | None = None,
    recurrence: str = "",
    recurrence_basis: str = RecurrenceBasis.DUE,
    reminders: list[dict[str, Any]] | None = None,
    labels: list[int] | None = None,
    project: int | None = None,
    parent: int | None = None,
    assignees: list[int] | None = None,
) -> Task:
    """A new task in the user's Inbox, or in ``project`` (editor or more), or under ``parent``."""
    try:
        with transaction.atomic():
            owner_id, parent_task = _placement(user_id, project, parent)
            task = Task(
                owner_id=owner_id,
                project_id=parent_task.project_id if parent_task else project,
                parent=parent_task,
                title=title,
                description=description,
                priority=priority,
                due_date=due_date,
                due_time=due_time,
                recurrence=recurrence,
                recurrence_basis=recurrence_basis,
                position=positions.position_now(),
            )
            check_due(task, {"due_time": due_time, "recurrence": recurrence})
            zone = OwnerZone(owner_id)
            schedule.set_due_at(task, zone)
            _apply_status(task, status)
            # The owner's lock first, as in every write that adds to a quota.
            quotas.lock_owner(owner_id)
            quotas.ensure_task_room(owner_id=owner_id, adding=1, for_project=task.project_id is not None)
            if parent_task is not None:
                check_parent(None, parent_task)
            label_objects = owner_labels(owner_id=user_id, label_ids=labels or [])
            people = valid_assignees(task, assignees or [])
            task.save(force_insert=True)
            if label_objects:
                task.labels.add(*label_objects)
            if people:
                task.assignees.add(*people)
            saved_reminders: list[Reminder] = []
            if reminders:
                set_reminders(task, reminders, None)
                saved_reminders = schedule.reschedule_task(task, time_zone=zone) or list(
                    Reminder.objects.filter(task_id=task.pk).order_by("pk")
                )
            changes = history.snapshot(task) | time_snapshot(task)
            if label_objects and task.project_id is None:
                changes["labels"] = history.label_names(label_objects)
            if people:
                changes["assignees"] = history.usernames(assignee_refs(people))
            if saved_reminders:
                changes["reminders"] = [reminder_text(reminder) for reminder in saved_reminders]
            history.record(task, actor_id, TaskEvent.Kind.CREATED, changes)
            if people:
                notify_assigned(task, people, actor_id)
            transaction.on_commit(TASKS_CREATED.labels("api").inc)
    except IntegrityError as exc:
        # A valid access token can outlive its account by a few minutes.
        raise OwnerGone from exc
    _cache_labels(task, label_objects)
    task.details = TaskDetails(
        labels=task._prefetched_objects_cache["labels"],
        assignees=assignee_refs(people),
        reminders=[ReminderRef.of(reminder) for reminder in saved_reminders],
    )
    return task


def _set_labels(task: Task, user_id: int, label_ids: list[int], changes: dict[str, Any]) -> None:
    """Replace the user's own labels on the task (labels are personal: others' stay)."""
    old_labels = [label for label in task.labels.all() if label.owner_id == user_id]
    new_labels = owner_labels(owner_id=user_id, label_ids=label_ids)
    old_ids, new_ids = {label.pk for label in old_labels}, {label.pk for label in new_labels}
    if old_ids != new_ids:
        task.labels.remove(*[label for label in old_labels if label.pk not in new_ids])
        task.labels.add(*[label for label in new_labels if label.pk not in old_ids])
        # On a shared task they stay out of the history the other members read.
        if task.project_id is None:
            changes["labels"] = [history.label_names(old_labels), history.label_names(new_labels)]
        else:
            changes["labels_changed"] = True
    _cache_labels(task, new_labels)


def _move_to_project(
    task: Task, user_id: int, actor_id: int | None, project_id: int | None, changes: dict[str, Any]
) -> None:
    """Put the task and all its sub-tasks in ``project_id`` (None: the user's Inbox).

    The task leaves its parent (a parent is in the same project); assignees who are not members
    of the new project are dropped. The new owner's quota must hold the moved tasks. Each sub-task
    records the move in its history, with the task that carried it.
    """
    owner_id = user_id if project_id is None else _project_for_task(user_id, project_id).owner_id
    moved = [task.pk, *descendant_ids([task.pk])]
    if owner_id != task.owner_id:
        quotas.lock_owner(owner_id)
        quotas.ensure_task_room(owner_id=owner_id, adding=len(moved), for_project=project_id is not None)
    changes["project"] = [task.project_id, project_id]
    if task.parent_id is not None:
        changes["parent"] = [task.parent_id, None]
        task.parent = None
    carried = {"project": [task.project_id, project_id], "with": task.pk}
    Task.objects.filter(pk__in=moved[1:]).update(
        project_id=project_id, owner_id=owner_id, version=F("version") + 1, updated_at=timezone.now()
    )
    if owner_id != task.owner_id and moved[1:]:
        # Due moments are the owner's local times: the sub-tasks' follow their new owner.
        schedule.reschedule_tasks(moved[1:])
    task.project_id, task.owner_id = project_id, owner_id
    stale = Task.assignees.through.objects.filter(task_id__in=moved).exclude(
        user_id__in=allowed_assignees(task)
    )
    lost = unassign(stale, moved)
    if task.pk in lost:
        changes["assignees"] = lost[task.pk]
    history.record_many(
        [
            TaskEvent(
                task_id=pk,
                actor_id=actor_id,
                kind=TaskEvent.Kind.UPDATED,
                changes={**carried, **({"assignees": lost[pk]} if pk in lost else {})},
            )
            for pk in moved[1:]
        ]
    )


def _set_parent(task: Task, user_id: int, parent_id: int | None, changes: dict[str, Any]) -> None:
    if parent_id == task.parent_id:
        return
    if parent_id is not None:
        check_parent(task, _parent_for_task(user_id, parent_id))
    changes["parent"] = [task.parent_id, parent_id]
    task.parent_id = parent_id


def _set_assignees(task: Task, user_ids: list[int], changes: dict[str, Any], actor_id: int | None) -> None:
    people = valid_assignees(task, user_ids)
    old = sorted(task.assignees.values_list("pk", flat=True))
    if old != sorted(people):
        task.assignees.set(people)
        changes["assignees"] = [
            history.usernames(assignee_refs(old)),
            history.usernames(assignee_refs(people)),
        ]
        added = set(people) - set(old)
        if added:
            notify_assigned(task, sorted(added), actor_id)


@transaction.atomic
def task_update(
    *,
    user_id: int,
    task_id: int,
    actor_id: int | None,
    data: dict[str, Any],
    if_match: list[int] | None = None,
) -> Task:
    """Set the given fields (a PATCH subset, or every writable field for PUT)."""
    task = _locked(user_id=user_id, task_id=task_id)
    _check_version(task, if_match)
    before = history.snapshot(task)
    time_before = (task.due_time, task.recurrence, task.recurrence_basis)
    due_before, status_before, owner_before = (task.due_date, task.due_time), task.status, task.owner_id
    label_ids = data.pop("labels", None)
    status = data.pop("status", None)
    project_id = data.pop("project", task.project_id)
    new_parent = "parent" in data
    parent_id = data.pop("parent", None)
    assignee_ids = data.pop("assignees", None)
    reminder_specs = data.pop("reminders", None)
    for field, value in data.items():
        setattr(task, field, value)
    check_due(task, data)
    if status is not None:
        _apply_status(task, status)
    changes: dict[str, Any] = history.diff(before, history.snapshot(task))
    time_changes(time_before, task, changes)
    if project_id != task.project_id:
        _move_to_project(task, user_id, actor_id, project_id, changes)
    if new_parent:  # a move to another project already took the task out of its parent
        _set_parent(task, user_id, parent_id, changes)
    if assignee_ids is not None:
        _set_assignees(task, assignee_ids, changes, actor_id)
    if label_ids is not None:
        _set_labels(task, user_id, label_ids, changes)
    if reminder_specs is not None:
        set_reminders(task, reminder_specs, changes)
    _finish_update(
        task,
        actor_id,
        changes,
        [*data],
        (due_before, status_before, owner_before),
        reminder_specs is not None,
    )
    return task


def _finish_update(
    task: Task,
    actor_id: int | None,
    changes: dict[str, Any],
    fields: list[str],
    before: tuple[tuple[date | None, time | None], str, int],
    reminders_set: bool,
) -> None:
    """Save an update: the due moment, a repeating task's next occurrence when it was just
    completed, the history entries, and the reminders' schedule."""
    due_before, status_before, owner_before = before
    zone = OwnerZone(task.owner_id)
    moved = (task.due_date, task.due_time) != due_before or task.owner_id != owner_before
    if moved:
        schedule.set_due_at(task, zone)
    completion = None
    if status_before != Task.Status.DONE and task.status == Task.Status.DONE:
        completion = next_repeat(task, zone)
    if completion is not None:
        # The completion is its own history entry, with the date it moved the task to.
        completion = {"status": changes.pop("status", [status_before, Task.Status.DONE]), **completion}
    if changes or completion is not None:
        _save(task, [*fields, *REPEAT_FIELDS, "project", "parent", "owner"])
        recorded = {key: value for key, value in changes.items() if key != "labels_changed"}
        if recorded:
            history.record(task, actor_id, TaskEvent.Kind.UPDATED, recorded)
        if completion is not None:
            history.record(task, actor_id, TaskEvent.Kind.COMPLETED, completion)
    if moved or completion is not None or task.status != status_before or reminders_set:
        schedule.reschedule_task(task, time_zone=zone)


def _set_status(user_id: int, task_id: int, actor_id: int | None, status: str, kind: str) -> Task:
    task = _locked(user_id=user_id, task_id=task_id)
    if (task.status == Task.Status.DONE) == (status == Task.Status.DONE):
        return task  # already there: nothing to record
    before = task.status
    _apply_status(task, status)
    zone = OwnerZone(task.owner_id)
    completion = next_repeat(task, zone) if status == Task.Status.DONE else None
    if completion is not None:
        _save(task, REPEAT_FIELDS)
        history.record(task, actor_id, kind, {"status": [before, Task.Status.DONE], **completion})
    else:
        _save(task, ["status", "completed_at"])
        history.record(task, actor_id, kind, {"status": [before, task.status]})
    schedule.reschedule_task(task, time_zone=zone)
    return task


def complete_repeating(task: Task, actor_id: int | None, kind: str) -> bool:
    """Complete a locked, open, repeating task (for a bulk action): True when it moved on to its
    next occurrence (and so is open again), False when its rule is exhausted and nothing was written."""
    before = task.status
    _apply_status(task, Task.Status.DONE)
    completion = next_repeat(task, OwnerZone(task.owner_id))
    if completion is None:
        task.status, task.completed_at = before, None
        return False
    _save(task, REPEAT_FIELDS)
    history.record(task, actor_id, kind, {"status": [before, Task.Status.DONE], **completion})
    return True


@transaction.atomic
def task_complete(*, user_id: int, task_id: int, actor_id: int | None) -> Task:
    return _set_status(user_id, task_id, actor_id, Task.Status.DONE, TaskEvent.Kind.COMPLETED)


@transaction.atomic
def task_reopen(*, user_id: int, task_id: int, actor_id: int | None) -> Task:
    return _set_status(user_id, task_id, actor_id, Task.Status.TODO, TaskEvent.Kind.REOPENED)


@transaction.atomic
def task_move(
    *,
    user_id: int,
    task_id: int,
    actor_id: int | None,
    status: str | None = None,
    before_id: int | None = None,
    after_id: int | None = None,
) -> Task:
    """Put the task between ``after_id`` (above) and ``before_id`` (below) in column ``status``
    of its own board (its project's, or its Inbox's)."""
    task = _locked(user_id=user_id, task_id=task_id)
    target = status or task.status
    refuse_self_neighbour(task, before_id, after_id)
    position = free_position(task, target, before_id, after_id)
    changes: dict[str, list[Any]] = {"position": [task.position, position]}
    status_before = task.status
    if target != task.status:
        changes["status"] = [task.status, target]
        _apply_status(task, target)
    task.position = position
    zone = OwnerZone(task.owner_id)
    completion = None
    if status_before != Task.Status.DONE and task.status == Task.Status.DONE:
        completion = next_repeat(task, zone)
    if completion is not None:
        # Dropped on done, a repeating task goes back to its next occurrence: at the end of the todo
        # column (the place it was dropped at is among the done tasks).
        task.position = positions.position_now()
        changes["position"] = [changes["position"][0], task.position]
        changes.pop("status")
        if task.status != status_before:
            changes["status"] = [status_before, task.status]
    _save(
        task,
        ["position", *REPEAT_FIELDS] if completion is not None else ["position", "status", "completed_at"],
    )
    if completion is not None:
        history.record(
            task, actor_id, TaskEvent.Kind.COMPLETED, {"status": [status_before, "done"], **completion}
        )
    history.record(task, actor_id, TaskEvent.Kind.MOVED, changes)
    if task.status != status_before or completion is not None:
        schedule.reschedule_task(task, time_zone=zone)
    return task


def _carry(task: Task, ids: list[int], kind: str, update: dict[str, Any], actor_id: int | None) -> None:
    """Give the task's sub-tasks in ``ids`` the same change, each with its history entry."""
    if not ids:
        return
    Task.objects.filter(pk__in=ids).update(**update, version=F("version") + 1, updated_at=timezone.now())
    history.record_many(
        [TaskEvent(task_id=pk, actor_id=actor_id, kind=kind, changes={"with": task.pk}) for pk in ids]
    )


@transaction.atomic
def task_trash(
    *, user_id: int, task_id: int, actor_id: int | None, if_match: list[int] | None = None
) -> Task:
    """Move the task and its sub-tasks (those not in the trash yet) to the trash, at one moment."""
    task = _locked(user_id=user_id, task_id=task_id)
    _check_version(task, if_match)
    task.trashed_at = timezone.now()
    subtasks = descendant_ids([task.pk], trashed_at_in=Q(trashed_at__isnull=True))
    _save(task, ["trashed_at"])
    history.record(task, actor_id, TaskEvent.Kind.TRASHED)
    _carry(task, subtasks, TaskEvent.Kind.TRASHED, {"trashed_at": task.trashed_at}, actor_id)
    schedule.unschedule([task.pk, *subtasks])
    return task


@transaction.atomic
def task_restore(*, user_id: int, task_id: int, actor_id: int | None) -> Task:
    """Take the task out of the trash, with the sub-tasks that went there with it."""
    task = _locked(user_id=user_id, task_id=task_id, trashed=True)
    if (
        task.parent_id is not None
        and Task.objects.filter(pk=task.parent_id, trashed_at__isnull=False).exists()
    ):
        raise ParentInTrash
    subtasks = descendant_ids([task.pk], trashed_at_in=Q(trashed_at=task.trashed_at))
    task.trashed_at = None
    _save(task, ["trashed_at"])
    history.record(task, actor_id, TaskEvent.Kind.RESTORED)
    _carry(task, subtasks, TaskEvent.Kind.RESTORED, {"trashed_at": None}, actor_id)
    schedule.reschedule_task(task)
    if subtasks:
        schedule.reschedule_tasks(subtasks)
    return task


@transaction.atomic
def task_purge(*, user_id: int, task_id: int) -> None:
    """Delete a trashed task for good, with its history and sub-tasks (an admin's decision in a project)."""
    task = _locked(user_id=user_id, task_id=task_id, needed=access.ADMIN, trashed=True)
    webhook_events.tasks_deleted([task.pk, *descendant_ids([task.pk])], user_id)
    task.delete()


def trash_purge_older_than(*, days: int) -> int:
    """Delete every task trashed more than ``days`` ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(Task.objects.filter(trashed_at__lt=cutoff).values_list("pk", flat=True)[:1000])
        if not ids:
            return deleted
        with transaction.atomic():
            webhook_events.tasks_deleted(ids, None)
            Task.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
