"""Tasks, projects, members and comments.

A task belongs to one owner: the person whose personal Inbox holds it, or, for a
task in a project, the project's owner (whose quota it counts against). Who may
read or change it is decided in one place, tasks.access.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower


class Label(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=50)
    colour = models.CharField(max_length=7, default="#6b7280")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "labels"
        constraints = [
            # Case-insensitive per owner (MySQL 8, SQLite; MariaDB's collation is case-insensitive anyway).
            models.UniqueConstraint(F("owner"), Lower("name"), name="labels_owner_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    class Role(models.TextChoices):
        # In increasing power; tasks.access compares them by this order.
        VIEWER = "viewer"
        EDITOR = "editor"
        ADMIN = "admin"
        OWNER = "owner"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_projects"
    )
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=2_000, blank=True, default="")
    colour = models.CharField(max_length=7, default="#2563eb")
    archived = models.BooleanField(default=False)
    # Set with the same moment on the tasks it took to the trash, so a restore brings back exactly those.
    trashed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "projects"
        constraints = [
            models.UniqueConstraint(F("owner"), Lower("name"), name="projects_owner_name_ci_unique"),
        ]
        indexes = [models.Index(fields=["trashed_at"], name="projects_trashed_idx")]

    def __str__(self) -> str:
        return self.name


class ProjectMember(models.Model):
    """A person's role in a project. The owner has a row too, with the role ``owner``."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Project.Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "project_members"
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="project_members_user_project_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.project_id}"


class RecurrenceBasis(models.TextChoices):
    DUE = "due"  # the next occurrence after the due date
    COMPLETION = "completion"  # the next occurrence after the day the task was done


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", "To do"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    class Priority(models.IntegerChoices):
        # Stored as numbers so that ordering by priority follows its meaning.
        NONE = 0, "none"
        LOW = 1, "low"
        MEDIUM = 2, "medium"
        HIGH = 3, "high"
        URGENT = 4, "urgent"

        @classmethod
        def name_of(cls, value: int) -> str:
            """The name a priority travels as in the API, exports and history (``none`` … ``urgent``)."""
            return _PRIORITY_NAME_OF[value]

        @classmethod
        def value_of(cls, name: str) -> int:
            return _PRIORITY_VALUE_OF[name]

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NONE)
    due_date = models.DateField(null=True, blank=True)
    # A time of day on the due date, in the owner's time zone; ``due_at`` is that moment in UTC,
    # kept by tasks.notifications.schedule whenever the date, the time or the owner's time zone changes.
    due_time = models.TimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    # An RFC 5545 RRULE (tasks.recurrence); completing the task moves it to the next occurrence.
    # Database defaults too, so the previous release's INSERTs still work during a rollout.
    recurrence = models.CharField(max_length=500, blank=True, default="", db_default="")
    recurrence_basis = models.CharField(
        max_length=10,
        choices=RecurrenceBasis.choices,
        default=RecurrenceBasis.DUE,
        db_default=RecurrenceBasis.DUE,
    )
    # Occurrences of the rule completed so far, which its COUNT is compared with (tasks.recurrence);
    # back to 0 when the rule changes.
    recurrence_done = models.PositiveIntegerField(default=0, db_default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Manual order inside a status column; see tasks.positions.
    position = models.BigIntegerField()
    labels = models.ManyToManyField(Label, related_name="tasks", blank=True)
    # None: the owner's personal Inbox.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    # A sub-task's parent: a task of the same project (tasks.services.hierarchy keeps the rules).
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subtasks"
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_tasks", blank=True, db_table="task_assignees"
    )
    # Bumped by every change; the ETag clients send back in If-Match.
    version = models.PositiveIntegerField(default=1)
    trashed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a field: Django's prefetch cache, which prefetch_related and tasks.selectors.labels_attach
    # fill and task.labels.all() reads. Absent until filled, so it is read with getattr and a default.
    _prefetched_objects_cache: dict[str, Any]
    # Not a field either: what tasks.selectors.details_attach loaded for one reader (TaskDetails).
    details: Any

    class Meta:
        db_table = "tasks"
        indexes = [
            models.Index(fields=["owner", "position"], name="tasks_owner_position_idx"),
            models.Index(fields=["owner", "status", "position"], name="tasks_owner_status_pos_idx"),
            models.Index(fields=["owner", "due_date"], name="tasks_owner_due_idx"),
            models.Index(fields=["owner", "priority"], name="tasks_owner_priority_idx"),
            models.Index(fields=["owner", "created_at"], name="tasks_owner_created_idx"),
            models.Index(fields=["owner", "updated_at"], name="tasks_owner_updated_idx"),
            models.Index(fields=["owner", "trashed_at"], name="tasks_owner_trashed_idx"),
            # Expression index: created on MySQL 8 and SQLite; MariaDB has none and sorts without it.
            models.Index(F("owner"), Lower("title"), name="tasks_owner_title_ci_idx"),
            models.Index(fields=["project", "position"], name="tasks_project_position_idx"),
            # The list's scope (tasks.access.Scope.tasks): the Inbox (project null, owner) and the
            # member's projects, outside the trash, are ranges of this index, and it holds the
            # position: MariaDB sorts a member's Inbox and projects by reading only the index, then
            # reads the page's rows (docs/performance.md, "list of a member of 20 shared projects").
            models.Index(
                fields=["project", "owner", "trashed_at", "position"], name="tasks_proj_owner_trash_pos_idx"
            ),
            models.Index(fields=["parent", "status"], name="tasks_parent_status_idx"),
            models.Index(fields=["owner", "due_at"], name="tasks_owner_due_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title


# The one table of priority names, both ways (Task.Priority.name_of / value_of).
_PRIORITY_NAME_OF: dict[int, str] = dict(Task.Priority.choices)
_PRIORITY_VALUE_OF: dict[str, int] = {name: value for value, name in Task.Priority.choices}
PRIORITY_NAMES: tuple[str, ...] = tuple(_PRIORITY_NAME_OF.values())


class TaskEvent(models.Model):
    """One entry of a task's history, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        COMPLETED = "completed"
        REOPENED = "reopened"
        MOVED = "moved"
        TRASHED = "trashed"
        RESTORED = "restored"
        LABELS = "labels"
        IMPORTED = "imported"
        COMMENTED = "commented"
        COMMENT_EDITED = "comment_edited"
        COMMENT_DELETED = "comment_deleted"
        ASSIGNED = "assigned"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    # No foreign key: the history outlives a staff member who acted on the task.
    actor_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "task_events"
        indexes = [models.Index(fields=["task", "id"], name="task_events_task_idx")]

    def __str__(self) -> str:
        return f"{self.kind} task {self.task_id}"


class Comment(models.Model):
    """Plain text on a task, by a member who may write to it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    # Kept when the author's account is deleted: the discussion stays readable.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited = models.BooleanField(default=False)

    class Meta:
        db_table = "task_comments"
        indexes = [models.Index(fields=["task", "created_at"], name="task_comments_task_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on task {self.task_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST /api/tasks/ with an Idempotency-Key, replayed to retries."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.owner_id}:{self.key}"


# Models of the tasks app kept in its subpackages; imported here so Django registers them.
from tasks.calendar.models import CalendarFeed  # noqa: E402
from tasks.notifications.models import (  # noqa: E402
    Delivery,
    Notification,
    NotificationSettings,
    PushSubscription,
    Reminder,
)
from tasks.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery  # noqa: E402

__all__ = [
    "CalendarFeed",
    "Comment",
    "Delivery",
    "IdempotencyRecord",
    "Label",
    "Notification",
    "NotificationSettings",
    "Project",
    "ProjectMember",
    "PushSubscription",
    "RecurrenceBasis",
    "Reminder",
    "Task",
    "TaskEvent",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
