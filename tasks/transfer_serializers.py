"""Bodies and query parameters of /api/tasks/export/ and /api/tasks/import/ (the export file format).

The file is described twice: ``ExportFileSerializer`` is what an export part holds (every field always
present, for the OpenAPI schema of the download); ``ImportSerializer`` is what an import takes — the
same document, where only ``tasks`` is required and version 1 files (no projects, no references) still
read. Reference rules (a parent before its sub-tasks, same project, four levels) need the account's
data and are checked in tasks.services.transfer_import, which reports them by row like the shapes here.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks.models import RecurrenceBasis, Task
from tasks.serializers import PriorityField
from tasks.services.quotas import MAX_LABELS_PER_TASK
from tasks.services.transfer import EXPORT_FORMAT, EXPORT_VERSION, IMPORT_VERSIONS, MAX_IMPORT_TASKS, MAX_REF
from tasks.time_fields import RecurrenceField, TaskRemindersField, validate_each
from tms_project.api.strict import QueryParametersSerializer, StrictBooleanField, TextOnlyMixin

COLOUR = r"^#[0-9a-fA-F]{6}$"


class ExportQuerySerializer(QueryParametersSerializer):
    # An empty value counts as absent, as for every optional query parameter.
    format = serializers.ChoiceField(
        choices=["json", "csv"], required=False, default="json", allow_blank=True
    )
    cursor = serializers.CharField(
        required=False,
        max_length=2048,
        trim_whitespace=False,
        help_text="JSON only: the next part of an export, from the `next` of the part before.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("cursor") and attrs["format"] != "json":
            raise serializers.ValidationError(
                {"cursor": ["The CSV export is one file; only the JSON export comes in parts."]}
            )
        return attrs


def _ref(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        max_length=MAX_REF, required=False, allow_null=True, default=None, help_text=help_text
    )


class ImportLabelSerializer(TextOnlyMixin, serializers.Serializer):
    name = serializers.CharField(max_length=50)
    colour = serializers.RegexField(COLOUR, required=False, default="#6b7280")


class ImportProjectSerializer(TextOnlyMixin, serializers.Serializer):
    ref = serializers.CharField(max_length=MAX_REF, help_text="What the file's tasks name it by.")
    name = serializers.CharField(
        max_length=100, help_text="A project of yours with this name (any case) takes the tasks."
    )
    description = serializers.CharField(max_length=2_000, allow_blank=True, required=False, default="")
    colour = serializers.RegexField(COLOUR, required=False, default="#2563eb")
    archived = StrictBooleanField(required=False, default=False)


class ImportRowSerializer(TextOnlyMixin, serializers.Serializer):
    ref = _ref("What sub-tasks name this task by as their parent; unique in the export.")
    project = _ref("The ref of one of the file's projects; null or absent: your Inbox.")
    # Declared fields leave the class (SerializerMetaclass), so this does not replace Field.parent at
    # runtime; mypy does not model the metaclass.
    parent = _ref(  # type: ignore[assignment]
        "The ref of a task earlier in this file, or in an earlier part of the same export."
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    status = serializers.ChoiceField(choices=Task.Status.values, required=False, default=Task.Status.TODO)
    priority = PriorityField(required=False, default=Task.Priority.NONE)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_time = serializers.TimeField(
        format="%H:%M", input_formats=["%H:%M"], required=False, allow_null=True, default=None
    )
    recurrence = RecurrenceField(required=False, default="")
    recurrence_basis = serializers.ChoiceField(
        choices=RecurrenceBasis.values, required=False, default=RecurrenceBasis.DUE
    )
    recurrence_done = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, default=0, help_text="Occurrences already done."
    )
    reminders = TaskRemindersField(required=False, default=list)
    completed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    created_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Informational; ignored."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("due_date") is None and attrs.get("due_time") is not None:
            raise serializers.ValidationError({"due_time": ["A due time needs a due date."]})
        if attrs.get("due_date") is None and attrs.get("recurrence"):
            raise serializers.ValidationError({"recurrence": ["A repeating task needs a due date."]})
        return attrs

    # With many=True DRF passes max_length on to the ListSerializer; the stubs do not list it.
    labels = ImportLabelSerializer(  # type: ignore[call-arg]
        many=True, required=False, default=list, max_length=MAX_LABELS_PER_TASK
    )


@extend_schema_field(ImportRowSerializer(many=True))
class ImportRowsField(serializers.ListField):
    """Rows are validated one by one in validate_tasks, so errors name each bad row's index."""


@extend_schema_field(ImportProjectSerializer(many=True))
class ImportProjectsField(serializers.ListField):
    """Validated one by one in validate_projects, as the rows; at most your projects quota."""


class ImportSerializer(TextOnlyMixin, serializers.Serializer):
    """An export file (one part): what GET /api/tasks/export/?format=json gives and
    POST /api/tasks/import/ takes. Version 1 files (tasks only) are read too."""

    format = serializers.ChoiceField(choices=[EXPORT_FORMAT], required=False)
    version = serializers.ChoiceField(choices=list(IMPORT_VERSIONS), required=False)
    exported_at = serializers.DateTimeField(required=False)
    export = serializers.CharField(
        max_length=MAX_REF,
        required=False,
        help_text="The export this part belongs to: parents in its earlier parts are found, and a part"
        " already imported is refused.",
    )
    part = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=1)
    projects = ImportProjectsField(child=serializers.DictField(), required=False, default=list)
    tasks = ImportRowsField(child=serializers.DictField(), max_length=MAX_IMPORT_TASKS)
    next = serializers.CharField(
        required=False, allow_null=True, help_text="Where the export's next part is; ignored here."
    )

    def validate_projects(self, items: list[dict]) -> list[dict]:
        limit = settings.TMS_QUOTA_PROJECTS
        if len(items) > limit:
            raise serializers.ValidationError(f"Ensure this field has no more than {limit} elements.")
        projects = validate_each(ImportProjectSerializer, items)
        errors: dict[str, Any] = {}
        seen_refs: set[str] = set()
        seen_names: set[str] = set()
        for index, project in enumerate(projects):
            problems = {}
            if project["ref"] in seen_refs:
                problems["ref"] = ["Another project of this file has this ref."]
            if project["name"].lower() in seen_names:
                problems["name"] = ["Another project of this file has this name."]
            seen_refs.add(project["ref"])
            seen_names.add(project["name"].lower())
            if problems:
                errors[str(index)] = problems
        if errors:
            raise serializers.ValidationError(errors)
        return projects

    def validate_tasks(self, rows: list[dict]) -> list[dict]:
        return validate_each(ImportRowSerializer, rows)


class ImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField(help_text="Tasks created.")
    labels_created = serializers.IntegerField()
    projects_created = serializers.IntegerField(
        help_text="Projects created; the others went into your project of the same name."
    )


# -- what an export part holds (the download's schema) ---------------------------------------------
class ExportLabelSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    colour = serializers.CharField(read_only=True)


class ExportReminderSerializer(serializers.Serializer):
    before_minutes = serializers.IntegerField(read_only=True, required=False)
    at = serializers.DateTimeField(read_only=True, required=False)


class ExportProjectSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="`p` and the project's id in your account.")
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    colour = serializers.CharField(read_only=True)
    archived = serializers.BooleanField(read_only=True)


class ExportTaskSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="`t` and the task's id in your account.")
    project = serializers.CharField(
        read_only=True, allow_null=True, help_text="A project's ref; null: Inbox."
    )
    parent = serializers.CharField(  # type: ignore[assignment]  # a declared field, as above
        read_only=True, allow_null=True, help_text="The parent's ref, in this part or an earlier one."
    )
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Task.Status.values, read_only=True)
    priority = PriorityField(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True)
    due_time = serializers.TimeField(read_only=True, allow_null=True, format="%H:%M")
    recurrence = serializers.CharField(read_only=True)
    recurrence_basis = serializers.ChoiceField(choices=RecurrenceBasis.values, read_only=True)
    recurrence_done = serializers.IntegerField(read_only=True)
    reminders = ExportReminderSerializer(many=True, read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    labels = ExportLabelSerializer(many=True, read_only=True)


@extend_schema_field(ExportTaskSerializer(many=True))
class ExportTasksField(serializers.ListField):
    """At most MAX_IMPORT_TASKS tasks, so that every part is an import."""


class ExportFileSerializer(serializers.Serializer):
    """One part of a JSON export: at most 5,000 tasks and TMS_MAX_IMPORT_BYTES, so it can be imported
    as it is; ``next`` downloads the following part (null on the last)."""

    format = serializers.ChoiceField(choices=[EXPORT_FORMAT], read_only=True)
    version = serializers.ChoiceField(choices=[EXPORT_VERSION], read_only=True)
    exported_at = serializers.DateTimeField(read_only=True)
    export = serializers.CharField(read_only=True, help_text="The same in every part of one export.")
    part = serializers.IntegerField(read_only=True, min_value=1, help_text="1, 2, … in download order.")
    projects = ExportProjectSerializer(
        many=True, read_only=True, help_text="Every project you own outside the trash (in every part)."
    )
    tasks = ExportTasksField(read_only=True, max_length=MAX_IMPORT_TASKS)
    next = serializers.URLField(read_only=True, allow_null=True, help_text="The next part; null on the last.")
