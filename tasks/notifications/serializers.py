"""Request and response shapes of /api/tasks/notifications/ and /api/tasks/push/."""

import base64
import binascii
import datetime
from typing import Any

from rest_framework import serializers

from tasks.notifications import texts
from tasks.notifications.models import Notification, NotificationSettings
from tasks.notifications.outbound import UnsafeURL
from tasks.notifications.push_services import check_endpoint
from tasks.serializers import PageQuerySerializer
from tasks.time_fields import iso_in
from tms_project.api.ids import id_field
from tms_project.api.strict import RejectUnknownFieldsMixin, StrictBooleanField

MAX_READ_IDS = 100


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Notification.Kind.choices)
    task = serializers.IntegerField(allow_null=True, help_text="The task's id; null for a project's.")
    project = serializers.IntegerField(allow_null=True)
    actor = serializers.CharField(allow_null=True, help_text="Who acted (username); null for a reminder.")
    text = serializers.CharField(help_text="An English sentence, times in your time zone.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


def notification_data(note: Notification, time_zone: str) -> dict[str, Any]:
    return {
        "id": note.pk,
        "kind": note.kind,
        "task": note.task_id,
        "project": note.project_id,
        "actor": (note.payload or {}).get("actor"),
        "text": texts.sentence(note, time_zone),
        "created_at": iso_in(note.created_at, datetime.UTC),
        "read_at": iso_in(note.read_at, datetime.UTC),
    }


class NotificationQuerySerializer(PageQuerySerializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="only the unread ones")


class SummarySerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class ReadSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(child=id_field(), required=False, min_length=1, max_length=MAX_READ_IDS)
    all = StrictBooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ids" in attrs) == ("all" in attrs):
            raise serializers.ValidationError({"ids": ["Give either ids or all, not both or neither."]})
        if "all" in attrs and attrs["all"] is not True:
            raise serializers.ValidationError({"all": ["Only true marks every notification read."]})
        return attrs


class UpdatedSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


SETTINGS_FIELDS = ("email_reminders", "push_reminders", "email_activity", "push_activity")


class SettingsSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    email_reminders = StrictBooleanField(required=False)
    push_reminders = StrictBooleanField(required=False)
    email_activity = StrictBooleanField(required=False)
    push_activity = StrictBooleanField(required=False)


def settings_data(row: NotificationSettings) -> dict[str, bool]:
    return {name: getattr(row, name) for name in SETTINGS_FIELDS}


class PushInfoSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    public_key = serializers.CharField(
        allow_null=True, help_text="The VAPID application server key (base64url); null when push is off."
    )


def _base64url(value: str, length: int, what: str) -> bytes:
    try:
        if not value or not all(c.isalnum() or c in "-_=" for c in value):
            raise ValueError
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError) as exc:
        raise serializers.ValidationError(f"{what} must be base64url.") from exc
    if len(raw) != length:
        raise serializers.ValidationError(f"{what} must be {length} bytes.")
    return raw


class PushKeysSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    p256dh = serializers.CharField(max_length=200, trim_whitespace=False)
    auth = serializers.CharField(max_length=100, trim_whitespace=False)

    def validate_p256dh(self, value: str) -> str:
        raw = _base64url(value, 65, "p256dh")
        if raw[0] != 4:
            raise serializers.ValidationError("p256dh must be an uncompressed P-256 public key.")
        return value

    def validate_auth(self, value: str) -> str:
        _base64url(value, 16, "auth")
        return value


class PushSubscriptionSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    endpoint = serializers.URLField(max_length=500)
    keys = PushKeysSerializer()

    def validate_endpoint(self, value: str) -> str:
        try:
            return check_endpoint(value)
        except UnsafeURL as exc:
            raise serializers.ValidationError(str(exc)) from exc


class PushSavedSerializer(serializers.Serializer):
    endpoint = serializers.CharField()


class PushUnsubscribeSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    endpoint = serializers.CharField(max_length=500)
