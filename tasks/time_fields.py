"""The time fields of a task in the API: reminders going in and out, the repeat rule and its
English text, and instants written as DRF writes them."""

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, extend_schema_field
from rest_framework import serializers

from tasks import recurrence
from tasks.models import Reminder
from tasks.selectors import ReminderRef
from tms_project.api.strict import RejectUnknownFieldsMixin


def iso_in(moment: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """What DRF's DateTimeField renders: ISO 8601 in the current time zone, UTC written as Z."""
    if moment is None:
        return None
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# The longest a relative reminder may come before the due moment: four weeks.
MAX_REMINDER_MINUTES = 40_320


class ReminderSpec(RejectUnknownFieldsMixin, serializers.Serializer):
    """One reminder as a client sends it: minutes before the due moment, or a moment."""

    before_minutes = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_REMINDER_MINUTES,
        help_text="Minutes before the due moment.",
    )
    at = serializers.DateTimeField(
        required=False, help_text="ISO 8601 with an offset (2027-03-01T08:30:00+01:00)."
    )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("before_minutes"), bool):
            raise serializers.ValidationError({"before_minutes": ["A whole number of minutes."]})
        if isinstance(data, dict) and isinstance(data.get("at"), str) and not _has_offset(data["at"]):
            raise serializers.ValidationError({"at": ["Give the moment with its offset (Z or +01:00)."]})
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("before_minutes" in attrs) == ("at" in attrs):
            raise serializers.ValidationError("A reminder has either before_minutes or at.")
        return attrs


def _has_offset(text: str) -> bool:
    parsed = None
    try:
        parsed = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return True  # DateTimeField says what is wrong with it
    return parsed.tzinfo is not None


def validate_each(serializer_class: type[serializers.Serializer], items: list[dict]) -> list[dict]:
    """Validate every item, and report every bad one by its index.

    One serializer checks them all: DRF deep-copies the declared fields for every new instance,
    which was two thirds of a 5,000-row import.
    """
    checker = serializer_class()
    valid, errors = [], {}
    for index, item in enumerate(items):
        try:
            valid.append(checker.run_validation(item))
        except serializers.ValidationError as exc:
            errors[str(index)] = serializers.as_serializer_error(exc)
    if errors:
        raise serializers.ValidationError(errors)
    return valid


class TaskRemindersField(serializers.Field):
    """A list of at most 5 reminders in (replacing the task's); the reminders with ``id`` and
    ``fire_at`` out."""

    def to_internal_value(self, data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, list) or len(data) > Reminder.MAX_PER_TASK:
            raise serializers.ValidationError(
                f"Expected a list of at most {Reminder.MAX_PER_TASK} reminders."
            )
        specs = validate_each(ReminderSpec, data)
        unique = {(spec.get("before_minutes"), spec.get("at")): spec for spec in specs}
        return list(unique.values())

    def to_representation(self, value: Any) -> list[dict[str, Any]]:
        zone = timezone.get_current_timezone()
        return [reminder_data(reminder, zone) for reminder in value]


def reminder_data(reminder: ReminderRef, zone: datetime.tzinfo) -> dict[str, Any]:
    return {
        "id": reminder.id,
        "before_minutes": reminder.before_minutes,
        "at": iso_in(reminder.at, zone),
        "fire_at": iso_in(reminder.fire_at, zone),
    }


class TaskRemindersFieldExtension(OpenApiSerializerFieldExtension):
    """Reminders going in (without id and fire_at) and coming out."""

    target_class = "tasks.time_fields.TaskRemindersField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        minutes = {"type": "integer", "minimum": 0, "maximum": MAX_REMINDER_MINUTES}
        moment = {"type": "string", "format": "date-time"}
        if direction == "request":
            return {
                "type": "array",
                "maxItems": Reminder.MAX_PER_TASK,
                "description": "Replaces the task's reminders: minutes before the due moment, or a moment.",
                "items": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {"before_minutes": minutes},
                            "required": ["before_minutes"],
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "properties": {"at": moment},
                            "required": ["at"],
                            "additionalProperties": False,
                        },
                    ]
                },
            }
        nullable = {"type": "string", "format": "date-time", "nullable": True}
        properties = {
            "id": {"type": "integer"},
            "before_minutes": {**minutes, "nullable": True},
            "at": nullable,
            "fire_at": {**nullable, "description": "When it is sent next; null: not scheduled."},
        }
        return {
            "type": "array",
            "items": {"type": "object", "properties": properties, "required": list(properties)},
        }


class RecurrenceField(serializers.CharField):
    """An RRULE (tasks.recurrence), stored normalised; "" or null: the task does not repeat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=recurrence.MAX_LENGTH, allow_blank=True, allow_null=True, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        try:
            return recurrence.normalise(super().to_internal_value(data))
        except recurrence.RuleInvalid as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class RecurrenceTextField(serializers.Field):
    """The rule in English, read from ``recurrence``; null when the task does not repeat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="recurrence", **kwargs)

    def to_representation(self, value: str) -> str | None:
        return recurrence.recurrence_text(value)
