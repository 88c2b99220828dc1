"""What people are told when someone else acts: assigned a task, commented on it, shared a project.

Each function writes ``Notification`` rows and one pending ``Delivery`` per channel the
person chose, inside the caller's transaction: a notification exists exactly when its
change commits, and nobody waits for a mail server or a push service (the worker,
``manage.py deliver_notifications``, sends them). Nobody is told about their own
action, and only people who can still read the task (or project) are told at all.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tasks.models import Comment, Project, ProjectMember, Task
from tasks.notifications.models import Delivery, Notification, NotificationSettings, PushSubscription

Kind = Notification.Kind
# Which settings fields choose the channels of each kind: (email, push).
_SWITCHES = {
    Kind.REMINDER: ("email_reminders", "push_reminders"),
    Kind.ASSIGNED: ("email_activity", "push_activity"),
    Kind.COMMENTED: ("email_activity", "push_activity"),
    Kind.SHARED: ("email_activity", "push_activity"),
    Kind.WEBHOOK_DISABLED: ("email_activity", "push_activity"),
    Kind.WEBHOOK_ADDED: ("email_activity", "push_activity"),
}
# Security notices go by e-mail whatever the person chose: whoever added the webhook may not be them.
_ALWAYS_EMAIL = {Kind.WEBHOOK_ADDED}
_DEFAULTS = NotificationSettings()


def task_readers(task: Task, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who can read ``task`` now (tasks.access's rule, for many people at once)."""
    wanted = set(user_ids)
    if not wanted or task.trashed_at is not None:
        return set()
    if task.project_id is None:
        return wanted & {task.owner_id}
    members = ProjectMember.objects.filter(
        project_id=task.project_id, project__trashed_at__isnull=True, user_id__in=sorted(wanted)
    )
    return set(members.values_list("user_id", flat=True))


def channels_for(kind: str, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each active person's channels for ``kind``: their settings (or the defaults), push only with a
    subscription to push to. Two queries, however many people."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return {}
    active = get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True)
    chosen = {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=wanted)}
    subscribed = set(
        PushSubscription.objects.filter(user_id__in=wanted).values_list("user_id", flat=True).distinct()
    )
    email_field, push_field = _SWITCHES[Kind(kind)]
    result: dict[int, list[str]] = {}
    for user_id in active:
        settings_row = chosen.get(user_id, _DEFAULTS)
        channels = []
        if getattr(settings_row, email_field) or kind in _ALWAYS_EMAIL:
            channels.append(Delivery.Channel.EMAIL.value)
        if getattr(settings_row, push_field) and user_id in subscribed:
            channels.append(Delivery.Channel.PUSH.value)
        result[user_id] = channels
    return result


def notify(
    kind: str,
    user_ids: Iterable[int],
    *,
    task: Task | None = None,
    project: Project | None = None,
    actor_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> list[Notification]:
    """One notification per active person in ``user_ids``, with a pending delivery per chosen channel."""
    channels = channels_for(kind, user_ids)
    if not channels:
        return []
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            task=task,
            project=project,
            actor_id=actor_id,
            payload=payload or {},
        )
        for user_id in sorted(channels)
    ]
    rows = Notification.objects.bulk_create(rows)
    for row in rows:
        if row.pk is None:  # a database that cannot return the ids of a bulk insert
            row.save(force_insert=True)
    now = timezone.now()
    deliveries = [
        Delivery(notification=row, channel=channel, next_attempt_at=now)
        for row in rows
        for channel in channels[row.user_id]
    ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
    return rows


def _actor_name(actor_id: int | None) -> str | None:
    if actor_id is None:
        return None
    return get_user_model().objects.filter(pk=actor_id).values_list("username", flat=True).first()


def _task_payload(task: Task, actor_id: int | None) -> dict[str, Any]:
    return {"title": task.title, "actor": _actor_name(actor_id)}


def notify_assigned(task: Task, user_ids: Iterable[int], actor_id: int | None) -> list[Notification]:
    """Tell the newly assigned people (``user_ids``, not the whole list) that ``actor_id`` assigned them."""
    people = task_readers(task, set(user_ids) - {actor_id})
    if not people:
        return []
    return notify(
        Kind.ASSIGNED,
        people,
        task=task,
        project=task.project,
        actor_id=actor_id,
        payload=_task_payload(task, actor_id),
    )


def notify_commented(task: Task, comment: Comment, actor_id: int | None) -> list[Notification]:
    """Tell the task's owner (a project task's: the project's owner) and its assignees about a comment.

    The comment's text is not copied: a deleted comment leaves no copy behind.
    """
    owner_id: int | None = task.owner_id
    if task.project_id is not None:
        owner_id = Project.objects.filter(pk=task.project_id).values_list("owner_id", flat=True).first()
    assignees = Task.assignees.through.objects.filter(task_id=task.pk).values_list("user_id", flat=True)
    concerned = {person for person in (owner_id, *assignees) if person is not None}
    people = task_readers(task, concerned - {actor_id})
    if not people:
        return []
    payload = _task_payload(task, actor_id) | {"comment": comment.pk}
    return notify(Kind.COMMENTED, people, task=task, project=task.project, actor_id=actor_id, payload=payload)


def notify_shared(project: Project, user_id: int, actor_id: int | None) -> list[Notification]:
    """Tell ``user_id`` that ``actor_id`` made them a member of ``project``."""
    if user_id == actor_id or project.trashed_at is not None:
        return []
    still_member = ProjectMember.objects.filter(Q(project=project) & Q(user_id=user_id)).exists()
    if not still_member:
        return []
    payload = {"project_name": project.name, "actor": _actor_name(actor_id)}
    return notify(Kind.SHARED, [user_id], project=project, actor_id=actor_id, payload=payload)
