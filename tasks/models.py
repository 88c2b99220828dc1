"""Tasks. Every task belongs to one owner; nobody else can learn it exists."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower


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

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NONE)
    due_date = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Manual order inside a status column; see tasks.positions.
    position = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tasks"
        indexes = [
            models.Index(fields=["owner", "position"], name="tasks_owner_position_idx"),
            models.Index(fields=["owner", "status", "position"], name="tasks_owner_status_pos_idx"),
            models.Index(fields=["owner", "due_date"], name="tasks_owner_due_idx"),
            models.Index(fields=["owner", "priority"], name="tasks_owner_priority_idx"),
            models.Index(fields=["owner", "created_at"], name="tasks_owner_created_idx"),
            models.Index(fields=["owner", "updated_at"], name="tasks_owner_updated_idx"),
            # Expression index: created on MySQL 8 and SQLite; MariaDB has none and sorts without it.
            models.Index(F("owner"), Lower("title"), name="tasks_owner_title_ci_idx"),
        ]

    def __str__(self) -> str:
        return self.title
