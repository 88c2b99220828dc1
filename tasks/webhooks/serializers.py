"""Request and response shapes of /api/tasks/webhooks/."""

import datetime
from typing import Any

from rest_framework import serializers

from tasks.serializers import PageQuerySerializer
from tasks.time_fields import iso_in
from tasks.webhooks.events import EVENTS
from tasks.webhooks.models import Webhook, WebhookDelivery
from tms_project.api.strict import RejectUnknownFieldsMixin, StrictBooleanField


def _events_field(required: bool) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=EVENTS),
        min_length=1,
        max_length=len(EVENTS),
        required=required,
        help_text="The events to send (at least one); '*' is not accepted: name each.",
    )


def _unique(events: list[str]) -> list[str]:
    if len(set(events)) != len(events):
        raise serializers.ValidationError("Name each event once.")
    return events


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS))
    is_active = serializers.BooleanField()
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField()
    consecutive_failures = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="whsec_...: verify signatures with it. Shown only now.")


def webhook_data(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": webhook.pk,
        "url": webhook.url,
        "description": webhook.description,
        "events": list(webhook.events),
        "is_active": webhook.is_active,
        "disabled_at": iso_in(webhook.disabled_at, datetime.UTC),
        "disabled_reason": webhook.disabled_reason,
        "consecutive_failures": webhook.consecutive_failures,
        "created_at": iso_in(webhook.created_at, datetime.UTC),
        "updated_at": iso_in(webhook.updated_at, datetime.UTC),
    }


class WebhookCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="https://, on a public address")
    events = _events_field(required=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_events(self, value: list[str]) -> list[str]:
        return _unique(value)


class WebhookUpdateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = _events_field(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = StrictBooleanField(
        required=False, help_text="true turns it on again and clears consecutive_failures"
    )

    def validate_events(self, value: list[str]) -> list[str]:
        return _unique(value)


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.CharField(help_text="The webhook-id header: the same on every retry")
    event = serializers.CharField()
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    next_attempt_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)
    payload = serializers.JSONField()


def delivery_data(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "message_id": delivery.message_id,
        "event": delivery.event,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "created_at": iso_in(delivery.created_at, datetime.UTC),
        "next_attempt_at": iso_in(delivery.next_attempt_at, datetime.UTC),
        "finished_at": iso_in(delivery.finished_at, datetime.UTC),
        "last_status_code": getattr(delivery, "last_status_code", None),
        "last_error": getattr(delivery, "last_error", None),
        "payload": delivery.payload,
    }


class DeliveryQuerySerializer(PageQuerySerializer):
    pass
