"""What a webhook is told, and to whom: the payload of each event, written to the outbox.

Called inside the transaction of the change (tasks.services.history calls it for every task
history entry, the comment and member services for theirs), so the ``WebhookDelivery`` rows
commit or roll back with the change: a committed change is never lost when a pod dies, a
rolled-back one is never reported.

Recipients are the active webhooks, subscribed to the event, of every person who can read the
task at that moment: the owner of an Inbox task, the members of a project's. Finding them is
one indexed query per change (per batch for bulk changes); a change nobody involved has a
webhook for costs that one query and nothing more.

Task events carry a compact snapshot, the same for every recipient (labels are personal and
the description may be long, so neither is in it): ``id, title, status, priority, project,
parent, owner, due_date, due_at, completed_at, trashed_at, updated_at, version``, plus
``actor`` (the id of who made the change; null for the system) and ``changes`` (what the
task's history recorded, old → new). Imports (tasks.services.transfer_import) do not emit:
an import of thousands of tasks would flood every receiver, and it is reported as what it is,
the person's own restore of an export.
"""

import datetime
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tasks.models import Comment, ProjectMember, Task, TaskEvent
from tasks.webhooks.models import Webhook, WebhookDelivery

TASK_CREATED = "task.created"
TASK_UPDATED = "task.updated"
TASK_COMPLETED = "task.completed"
TASK_TRASHED = "task.trashed"
TASK_RESTORED = "task.restored"
TASK_DELETED = "task.deleted"
COMMENT_CREATED = "comment.created"
COMMENT_DELETED = "comment.deleted"
MEMBER_ADDED = "project.member_added"
MEMBER_REMOVED = "project.member_removed"
PING = "webhook.ping"  # sent on request to one endpoint; no one subscribes to it

EVENTS = (
    TASK_CREATED,
    TASK_UPDATED,
    TASK_COMPLETED,
    TASK_TRASHED,
    TASK_RESTORED,
    TASK_DELETED,
    COMMENT_CREATED,
    COMMENT_DELETED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
)

Kind = TaskEvent.Kind
# A history entry's kind -> the event it is; kinds not here (imports, comments, which the
# comment service reports with the comment itself) send nothing.
_EVENT_OF_KIND = {
    Kind.CREATED: TASK_CREATED,
    Kind.UPDATED: TASK_UPDATED,
    Kind.COMPLETED: TASK_COMPLETED,
    Kind.REOPENED: TASK_UPDATED,
    Kind.MOVED: TASK_UPDATED,
    Kind.LABELS: TASK_UPDATED,
    Kind.ASSIGNED: TASK_UPDATED,
    Kind.TRASHED: TASK_TRASHED,
    Kind.RESTORED: TASK_RESTORED,
}

SNAPSHOT_FIELDS = (
    "id",
    "title",
    "status",
    "priority",
    "project_id",
    "parent_id",
    "owner_id",
    "due_date",
    "due_at",
    "completed_at",
    "trashed_at",
    "updated_at",
    "version",
)

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_message_id() -> str:
    """``msg_`` + 26 characters: 48 bits of milliseconds then 80 random bits, Crockford base32
    (a ULID), so ids sort by creation and never repeat."""
    number = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    chars = []
    for _ in range(26):
        number, digit = divmod(number, 32)
        chars.append(_CROCKFORD[digit])
    return "msg_" + "".join(reversed(chars))


def instant(value: datetime.datetime | None) -> str | None:
    """An instant as the payload writes it: UTC with a ``Z``."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def event_name(kind: str, changes: dict[str, Any] | None) -> str | None:
    """The event a history entry is; a status change to done is ``task.completed`` however made
    (the board, a bulk action, a PATCH)."""
    name = _EVENT_OF_KIND.get(Kind(kind)) if kind in Kind.values else None
    status = (changes or {}).get("status")
    if name == TASK_UPDATED and isinstance(status, list) and status[-1:] == [Task.Status.DONE]:
        return TASK_COMPLETED
    return name


def task_data(row: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of a task, from its field values (``SNAPSHOT_FIELDS``)."""
    due_date = row["due_date"]
    return {
        "id": row["id"],
        "title": row["title"],
        "status": row["status"],
        "priority": Task.Priority.name_of(row["priority"]),
        "project": row["project_id"],
        "parent": row["parent_id"],
        "owner": row["owner_id"],
        "due_date": due_date.isoformat() if due_date is not None else None,
        "due_at": instant(row["due_at"]),
        "completed_at": instant(row["completed_at"]),
        "trashed_at": instant(row["trashed_at"]),
        "updated_at": instant(row["updated_at"]),
        "version": row["version"],
    }


def task_row(task: Task) -> dict[str, Any]:
    return {name: getattr(task, name) for name in SNAPSHOT_FIELDS}


def payload(name: str, data: dict[str, Any], now: datetime.datetime | None = None) -> dict[str, Any]:
    return {"type": name, "timestamp": instant(now or timezone.now()), "data": data}


# -- recipients --------------------------------------------------------------------------------


def _readers_filter(owner_id: int, project_id: int | None) -> Q:
    if project_id is None:
        return Q(owner_id=owner_id)
    return Q(owner_id__in=ProjectMember.objects.filter(project_id=project_id).values("user_id"))


def _active() -> QuerySet[Webhook]:
    # A deactivated account's webhooks get nothing, as its sessions and tokens get nothing.
    return Webhook.objects.filter(is_active=True, owner__is_active=True).only("id", "owner_id", "events")


def _queue(hooks: Iterable[Webhook], name: str, body: dict[str, Any], rows: list[WebhookDelivery]) -> None:
    now = timezone.now()
    rows.extend(
        WebhookDelivery(
            webhook_id=hook.pk, message_id=new_message_id(), event=name, payload=body, next_attempt_at=now
        )
        for hook in hooks
        if name in hook.events
    )


def _write(rows: list[WebhookDelivery]) -> None:
    if rows:
        WebhookDelivery.objects.bulk_create(rows, batch_size=500)


def _emit(owner_id: int, project_id: int | None, name: str, data: dict[str, Any]) -> None:
    """One event about something ``owner_id``/``project_id``'s readers can see."""
    hooks = [hook for hook in _active().filter(_readers_filter(owner_id, project_id)) if name in hook.events]
    rows: list[WebhookDelivery] = []
    _queue(hooks, name, payload(name, data), rows)
    _write(rows)


# -- task events -------------------------------------------------------------------------------


def task_changed(task: Task, actor_id: int | None, kind: str, changes: dict[str, Any] | None) -> None:
    """A history entry of ``task`` (in memory, as saved) was written: tell whoever subscribed."""
    name = event_name(kind, changes)
    if name is None:
        return
    data = {**task_data(task_row(task)), "actor": actor_id, "changes": changes or {}}
    _emit(task.owner_id, task.project_id, name, data)


@dataclass
class _Change:
    task_id: int
    name: str
    actor_id: int | None
    changes: dict[str, Any] = field(default_factory=dict)


def _emit_many(changes: Sequence[_Change]) -> None:
    """Events about many tasks at once (bulk actions, sub-tasks carried along, a project's tasks):
    one query for the webhooks of everyone who reads any of them; with some, one for the tasks as
    they are now and one for the projects' members."""
    ids = sorted({change.task_id for change in changes})
    tasks = Task.objects.filter(pk__in=ids)
    inbox_owners = tasks.filter(project__isnull=True).values("owner_id")
    members = ProjectMember.objects.filter(project_id__in=tasks.values("project_id")).values("user_id")
    hooks = list(_active().filter(Q(owner_id__in=inbox_owners) | Q(owner_id__in=members)))
    if not hooks:
        return
    rows_by_id = {row["id"]: row for row in Task.objects.filter(pk__in=ids).values(*SNAPSHOT_FIELDS)}
    projects = {row["project_id"] for row in rows_by_id.values() if row["project_id"] is not None}
    readers_of: dict[int, set[int]] = {}
    for project_id, user_id in ProjectMember.objects.filter(project_id__in=projects).values_list(
        "project_id", "user_id"
    ):
        readers_of.setdefault(project_id, set()).add(user_id)
    rows: list[WebhookDelivery] = []
    now = timezone.now()
    for change in changes:
        row = rows_by_id.get(change.task_id)
        if row is None:
            continue
        readers = readers_of.get(row["project_id"], set()) if row["project_id"] else {row["owner_id"]}
        data = {**task_data(row), "actor": change.actor_id, "changes": change.changes}
        wanted = [hook for hook in hooks if hook.owner_id in readers]
        _queue(wanted, change.name, payload(change.name, data, now), rows)
    _write(rows)


def tasks_changed(entries: Iterable[TaskEvent]) -> None:
    """History entries written together (``history.record_many``)."""
    changes = [
        _Change(entry.task_id, name, entry.actor_id, entry.changes or {})
        for entry in entries
        if (name := event_name(entry.kind, entry.changes)) is not None
    ]
    if changes:
        _emit_many(changes)


def tasks_deleted(task_ids: list[int], actor_id: int | None) -> None:
    """Tasks about to be deleted for good (call before the delete): ``task.deleted`` with their last
    snapshot."""
    if task_ids:
        _emit_many([_Change(pk, TASK_DELETED, actor_id) for pk in task_ids])


# -- comments and members ----------------------------------------------------------------------


def comment_created(task: Task, comment: Comment, actor_id: int | None) -> None:
    data = {
        "id": comment.pk,
        "task": task_data(task_row(task)),
        "author": comment.author_id,
        "body": comment.body,
        "created_at": instant(comment.created_at),
        "actor": actor_id,
    }
    _emit(task.owner_id, task.project_id, COMMENT_CREATED, data)


def comment_deleted(task: Task, comment_id: int, actor_id: int | None) -> None:
    data = {"id": comment_id, "task": task_data(task_row(task)), "actor": actor_id}
    _emit(task.owner_id, task.project_id, COMMENT_DELETED, data)


def member_changed(name: str, project_id: int, user_id: int, role: str | None, actor_id: int | None) -> None:
    """A member was added or removed: the members after the change are told, and the person
    themself (a removed member is told once more, of their removal)."""
    data = {"project": project_id, "user": user_id, "role": role, "actor": actor_id}
    readers = Q(owner_id__in=ProjectMember.objects.filter(project_id=project_id).values("user_id"))
    hooks = [hook for hook in _active().filter(readers | Q(owner_id=user_id)) if name in hook.events]
    rows: list[WebhookDelivery] = []
    _queue(hooks, name, payload(name, data), rows)
    _write(rows)


def ping(webhook: Webhook) -> WebhookDelivery:
    """A test event for one endpoint, whatever it subscribed to."""
    body = payload(PING, {"webhook": webhook.pk})
    return WebhookDelivery.objects.create(
        webhook=webhook,
        message_id=new_message_id(),
        event=PING,
        payload=body,
        next_attempt_at=timezone.now(),
    )
