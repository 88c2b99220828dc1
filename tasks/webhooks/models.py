"""Webhook endpoints, the deliveries owed to them (the outbox), and each attempt at one.

A ``WebhookDelivery`` is written in the transaction of the change it reports, one per
endpoint that wants the event, so a change that commits is never lost and one that rolls
back is never reported. Its ``message_id`` is the ``webhook-id`` header: the same on
every retry and redelivery, so receivers can drop duplicates. The notification worker
sends pending deliveries (tasks.webhooks.deliver) and records each ``WebhookAttempt``.
Registered with the tasks app from tasks.models.
"""

from django.conf import settings
from django.db import models


class Webhook(models.Model):
    MAX_PER_USER = 10

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    # "whsec_" + base64 of 32 random bytes (the Standard Webhooks secret format); shown once.
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    # Deliveries that ran out of retries since the last success; too many disables the endpoint.
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "webhooks"
        indexes = [models.Index(fields=["owner", "is_active"], name="webhooks_owner_active_idx")]

    def __str__(self) -> str:
        return f"webhook {self.pk} of user {self.owner_id}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # gave up after the last retry

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "webhook_deliveries"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_deliveries_due_idx"),
            models.Index(fields=["webhook", "id"], name="webhook_deliveries_hook_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} delivery {self.pk} ({self.state})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    # The receiver's answer; null when none came (refused address, timeout, connection error).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "webhook_attempts"
        indexes = [models.Index(fields=["delivery", "id"], name="webhook_attempts_delivery_idx")]

    def __str__(self) -> str:
        return f"attempt {self.pk} of delivery {self.delivery_id}"
