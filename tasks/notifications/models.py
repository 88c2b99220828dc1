"""Reminders, notifications, their deliveries, push subscriptions and each person's channels.

A ``Reminder`` belongs to a task and says when to remind (``before_minutes`` before
its ``due_at``, or ``at`` an absolute moment); ``fire_at`` is the next moment it is
due, kept by tasks.notifications.schedule in the transaction of every change that
moves it (null: nothing to send — the task is done, in the trash, or has no due
time left). The worker claims reminders whose ``fire_at`` has passed, writes one
``Notification`` per recipient and one ``Delivery`` per chosen channel, all in one
transaction, then sends the deliveries. Registered with the tasks app from
tasks.models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Reminder(models.Model):
    MAX_PER_TASK = 5

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="reminders")
    before_minutes = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(null=True, blank=True)
    # The next moment to remind; null when nothing is scheduled.
    fire_at = models.DateTimeField(null=True, blank=True)
    # The due moment the last reminder was sent for, so one occurrence is never reminded twice.
    fired_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "task_reminders"
        constraints = [
            models.CheckConstraint(
                condition=Q(before_minutes__isnull=False, at__isnull=True)
                | Q(before_minutes__isnull=True, at__isnull=False),
                name="task_reminders_one_kind",
            )
        ]
        indexes = [
            models.Index(fields=["fire_at"], name="task_reminders_fire_idx"),
            models.Index(fields=["task", "id"], name="task_reminders_task_idx"),
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk} of task {self.task_id}"


class Notification(models.Model):
    """One thing a person is told about, listed in the app and delivered on their channels."""

    class Kind(models.TextChoices):
        REMINDER = "reminder"
        ASSIGNED = "assigned"
        COMMENTED = "commented"
        SHARED = "shared"
        WEBHOOK_DISABLED = "webhook_disabled"
        # A security notice: a webhook now sends the account's task events somewhere new.
        WEBHOOK_ADDED = "webhook_added"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    project = models.ForeignKey(
        "tasks.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # No foreign key: a notification outlives the account of the person who acted.
    actor_id = models.BigIntegerField(null=True, blank=True)
    # What to say, as it was when it happened (a task's title, who acted, the due moment).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        indexes = [
            models.Index(fields=["user", "id"], name="notifications_user_idx"),
            models.Index(fields=["user", "read_at"], name="notifications_user_read_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} notification {self.pk} for user {self.user_id}"


class Delivery(models.Model):
    """Sending one notification on one channel: claimed, tried, retried with backoff, recorded."""

    class Channel(models.TextChoices):
        EMAIL = "email"
        PUSH = "push"

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        SKIPPED = "skipped"  # nothing to send after all (no push subscription, task gone)
        FAILED = "failed"  # gave up after the last retry

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "notification_deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="deliveries_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.state})"


class PushSubscription(models.Model):
    """A browser's Web Push endpoint and keys (the PushSubscription the service worker made)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=500, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "push_subscriptions"
        indexes = [models.Index(fields=["user", "id"], name="push_subscriptions_user_idx")]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of user {self.user_id}"


class NotificationSettings(models.Model):
    """The channels a person chose; without a row, the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    email_reminders = models.BooleanField(default=True)
    push_reminders = models.BooleanField(default=True)
    email_activity = models.BooleanField(default=False)
    push_activity = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "notification_settings"

    def __str__(self) -> str:
        return f"notification settings of user {self.user_id}"
