"""Bodies and query parameters of /api/tasks/."""

from typing import Any

from rest_framework import serializers
from rest_framework.fields import empty

from tasks.models import Task
from tasks.selectors import DEFAULT_ORDERING, ORDERINGS

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
PRIORITY_NAMES = [label for _, label in Task.Priority.choices]
PRIORITY_BY_NAME = {label: value for value, label in Task.Priority.choices}


class PriorityField(serializers.ChoiceField):
    """Priorities travel as names (none..urgent) and are stored as numbers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PRIORITY_NAMES, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        return PRIORITY_BY_NAME[super().to_internal_value(data)]

    def to_representation(self, value: int) -> str:
        return Task.Priority(value).label


class RejectUnknownFieldsMixin:
    """A misspelt field is a 400, not a silent no-op; read-only fields are ignored (docs/api.md)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class TaskSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    title = serializers.CharField(
        max_length=200, help_text="1–200 characters; surrounding spaces are trimmed."
    )
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    status = serializers.ChoiceField(choices=Task.Status.values, required=False, default=Task.Status.TODO)
    priority = PriorityField(required=False, default=Task.Priority.NONE)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "completed_at",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "completed_at", "position", "created_at", "updated_at"]


class CommaListField(serializers.ListField):
    """Accepts ``?p=a&p=b`` and ``?p=a,b`` alike."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [data]
        parts = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        return super().to_internal_value(parts)


class QueryBooleanField(serializers.BooleanField):
    default_empty_html = empty  # absent means "no filter", not False


class TaskListQuerySerializer(serializers.Serializer):
    status = CommaListField(child=serializers.ChoiceField(choices=Task.Status.values), required=False)
    priority = CommaListField(child=PriorityField(), required=False)
    due_before = serializers.DateField(required=False, help_text="Due on or before this date.")
    due_after = serializers.DateField(required=False, help_text="Due on or after this date.")
    overdue = QueryBooleanField(required=False, help_text="Due before today (your time zone) and not done.")
    has_due = QueryBooleanField(required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Words in the title or description.")
    updated_since = serializers.DateTimeField(required=False)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default=DEFAULT_ORDERING)
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )
    cursor = serializers.CharField(required=False, max_length=2048, help_text="From `next` or `previous`.")


class TaskPageSerializer(serializers.Serializer):
    results = TaskSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class TaskMoveSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.values, required=False)
    before_id = serializers.IntegerField(required=False, help_text="The task that will come right below.")
    after_id = serializers.IntegerField(required=False, help_text="The task that will come right above.")
