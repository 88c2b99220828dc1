"""Tasks. Every task belongs to one owner; nobody else can learn it exists."""

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
    completed_at = models.DateTimeField(null=True, blank=True)
    # Manual order inside a status column; see tasks.positions.
    position = models.BigIntegerField()
    labels = models.ManyToManyField(Label, related_name="tasks", blank=True)
    # Bumped by every change; the ETag clients send back in If-Match.
    version = models.PositiveIntegerField(default=1)
    trashed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Not a field: Django's prefetch cache, which prefetch_related and tasks.selectors.labels_attach
    # fill and task.labels.all() reads. Absent until filled, so it is read with getattr and a default.
    _prefetched_objects_cache: dict[str, Any]

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
