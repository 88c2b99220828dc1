"""Bodies and query parameters of /api/tasks/."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models.manager import BaseManager
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from tasks.models import (
    PRIORITY_NAMES,
    Comment,
    Label,
    Project,
    ProjectMember,
    RecurrenceBasis,
    Task,
    TaskEvent,
)
from tasks.orderings import DEFAULT_ORDERING, ORDERINGS
from tasks.representation import task_data
from tasks.selectors import INBOX, ME, TOP_LEVEL, UserRef
from tasks.services.bulk import ACTIONS as BULK_ACTIONS
from tasks.services.members import MAX_ASSIGNEES
from tasks.services.quotas import MAX_LABELS_PER_TASK
from tasks.time_fields import RecurrenceField, RecurrenceTextField, TaskRemindersField, iso_in
from tms_project.api.ids import MAX_ID, id_field
from tms_project.api.strict import (
    FieldsOncePerThreadMixin,
    QueryParametersSerializer,
    RejectUnknownFieldsMixin,
    StrictBooleanField,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class PriorityField(serializers.ChoiceField):
    """Priorities travel as names (none..urgent) and are stored as numbers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(PRIORITY_NAMES), **kwargs)

    # The stubs type ChoiceField's values as str; DRF's ChoiceField takes and gives back any choice key.
    def to_internal_value(self, data: Any) -> int:  # type: ignore[override]
        return Task.Priority.value_of(super().to_internal_value(data))

    # As above: the value is a choice key, here the stored number.
    def to_representation(self, value: int) -> str:  # type: ignore[override]
        return Task.Priority.name_of(value)


class LabelSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(max_length=50)
    colour = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", required=False, default="#6b7280", help_text="#rrggbb"
    )

    class Meta:
        model = Label
        fields = ["id", "name", "colour"]
        read_only_fields = ["id"]


class TaskLabelsField(serializers.Field):
    """Label ids in; id, name and colour out."""

    def to_internal_value(self, data: Any) -> list[int]:
        if not isinstance(data, list) or len(data) > MAX_LABELS_PER_TASK:
            raise serializers.ValidationError(f"Expected a list of at most {MAX_LABELS_PER_TASK} label ids.")
        if not all(
            isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= MAX_ID for item in data
        ):
            raise serializers.ValidationError("Label ids are positive integers.")
        return list(dict.fromkeys(data))

    def to_representation(self, labels: BaseManager[Label]) -> list[dict[str, Any]]:
        ordered = sorted(labels.all(), key=lambda label: label.name.lower())
        return [{"id": label.pk, "name": label.name, "colour": label.colour} for label in ordered]


class UserRefSerializer(serializers.Serializer):
    """A person as tasks, projects and comments show them."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


# Documented by tasks.schema.TaskAssigneesFieldExtension: ids in, people out.
class TaskAssigneesField(serializers.Field):
    """User ids in (members of the task's project; on an Inbox task only yourself); people out."""

    def to_internal_value(self, data: Any) -> list[int]:
        if not isinstance(data, list) or len(data) > MAX_ASSIGNEES:
            raise serializers.ValidationError(f"Expected a list of at most {MAX_ASSIGNEES} user ids.")
        if not all(
            isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= MAX_ID for item in data
        ):
            raise serializers.ValidationError("User ids are positive integers.")
        return list(dict.fromkeys(data))

    def to_representation(self, value: Any) -> list[dict[str, Any]]:
        return [person.as_dict() for person in value]


class TaskListSerializer(serializers.ListSerializer):
    # The list_serializer_class of TaskSerializer (and TrashedTaskSerializer) only.
    child: "TaskSerializer"

    def to_representation(self, data: BaseManager[Task] | Iterable[Task]) -> list[dict[str, Any]]:
        tasks = data.all() if isinstance(data, BaseManager) else data  # a related manager, as DRF allows
        zone = timezone.get_current_timezone()  # once per page: a context-variable lookup
        return [self.child.represent(task, zone) for task in tasks]


# A plain Serializer: ModelSerializer rebuilt its fields from the model on every
# request, a sixth of a create (docs/performance.md).
class TaskSerializer(RejectUnknownFieldsMixin, FieldsOncePerThreadMixin, serializers.Serializer):
    """A task: what you send to create or change one, and what TMS answers."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(
        max_length=200, help_text="1–200 characters; surrounding spaces are trimmed."
    )
    description = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    status = serializers.ChoiceField(choices=Task.Status.values, required=False, default=Task.Status.TODO)
    priority = PriorityField(required=False, default=Task.Priority.NONE)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_time = serializers.TimeField(
        format="%H:%M",
        input_formats=["%H:%M"],
        required=False,
        allow_null=True,
        default=None,
        help_text="HH:MM in the task owner's time zone; needs a due date (cleared with it).",
    )
    due_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The due date and time as a moment; null without a time."
    )
    recurrence = RecurrenceField(
        required=False,
        default="",
        help_text='An RRULE without "RRULE:" (FREQ=MONTHLY;BYMONTHDAY=-1); needs a due date.'
        ' "" or null: none.',
    )
    recurrence_basis = serializers.ChoiceField(
        choices=RecurrenceBasis.values,
        required=False,
        default=RecurrenceBasis.DUE,
        help_text="Whether the next occurrence follows the due date or the day the task was done.",
    )
    recurrence_text = RecurrenceTextField()
    reminders = TaskRemindersField(required=False, source="details.reminders")
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    labels = TaskLabelsField(required=False, default=list)
    project = id_field(
        required=False,
        allow_null=True,
        help_text="A project you may edit, or null for your Inbox. Omitted: unchanged (new tasks: Inbox).",
    )
    # Declared fields leave the class (SerializerMetaclass), so this does not replace Field.parent at
    # runtime; mypy does not model the metaclass (as for ``label`` below).
    parent = id_field(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        help_text="The parent task (same project, at most 4 levels). Omitted: unchanged.",
    )
    assignees = TaskAssigneesField(required=False, source="details.assignees")
    subtask_count = serializers.IntegerField(
        read_only=True, source="details.subtask_count", help_text="Direct sub-tasks outside the trash."
    )
    subtasks_done = serializers.IntegerField(read_only=True, source="details.subtasks_done")
    position = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        list_serializer_class = TaskListSerializer

    def to_internal_value(self, data: Any) -> Any:
        values = super().to_internal_value(data)
        if "details" in values:  # assignees and reminders are read from task.details; written as lists
            values.update(values.pop("details"))
        return values

    def to_representation(self, task: Task) -> dict[str, Any]:
        return self.represent(task, timezone.get_current_timezone())

    @staticmethod
    def represent(task: Task, zone: datetime.tzinfo) -> dict[str, Any]:
        return task_data(task, zone)


class CommaListField(serializers.ListField):
    """Accepts ``?p=a&p=b`` and ``?p=a,b`` alike."""

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, str):
            data = [data]
        parts = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        return super().to_internal_value(parts)


class QueryBooleanField(serializers.BooleanField):
    default_empty_html = empty  # absent means "no filter", not False


@extend_schema_field({"type": "string", "description": "An id, or the word this parameter names."})
class IdOrWordField(serializers.Field):
    """An object id, or one word that stands for a choice (``inbox``, ``none``, ``me``)."""

    def __init__(self, word: str, **kwargs: Any) -> None:
        self.word = word
        self.ids = id_field()
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, str) and data.strip().lower() == self.word:
            return self.word
        return self.ids.run_validation(data)

    def to_representation(self, value: Any) -> Any:
        return value


class TaskListQuerySerializer(QueryParametersSerializer):
    status = CommaListField(child=serializers.ChoiceField(choices=Task.Status.values), required=False)
    priority = CommaListField(child=PriorityField(), required=False)
    due_before = serializers.DateField(required=False, help_text="Due on or before this date.")
    due_after = serializers.DateField(required=False, help_text="Due on or after this date.")
    overdue = QueryBooleanField(
        required=False,
        help_text="Not done, and past due: its due moment has passed, or (without a time) its date is before"
        " today in your time zone.",
    )
    has_due = QueryBooleanField(required=False)
    q = serializers.CharField(required=False, max_length=200, help_text="Words in the title or description.")
    # SerializerMetaclass takes declared fields off the class, so this "label" does not replace
    # Field.label at runtime; mypy does not model the metaclass and sees it as replacing that attribute.
    label = CommaListField(child=id_field(), required=False, max_length=20)  # type: ignore[assignment]
    updated_since = serializers.DateTimeField(required=False)
    project = CommaListField(
        child=IdOrWordField(INBOX),
        required=False,
        max_length=50,
        help_text="Project ids, or `inbox` for your Inbox; repeatable. Absent: the Inbox and every"
        " project you are a member of that is not archived.",
    )
    # A declared field, as ``label`` above.
    parent = IdOrWordField(  # type: ignore[assignment]
        TOP_LEVEL, required=False, help_text="Sub-tasks of this task; `none`: top-level only."
    )
    assignee = IdOrWordField(ME, required=False, help_text="Tasks assigned to this user id, or `me`.")
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default=DEFAULT_ORDERING)
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )
    cursor = serializers.CharField(
        required=False, max_length=2048, trim_whitespace=False, help_text="From `next` or `previous`."
    )


class TaskMoveSerializer(RejectUnknownFieldsMixin, FieldsOncePerThreadMixin, serializers.Serializer):
    status = serializers.ChoiceField(choices=Task.Status.values, required=False)
    before_id = id_field(required=False, help_text="The task that will come right below.")
    after_id = id_field(required=False, help_text="The task that will come right above.")


class TrashedTaskSerializer(TaskSerializer):
    trashed_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @staticmethod
    def represent(task: Task, zone: datetime.tzinfo) -> dict[str, Any]:
        return {**task_data(task, zone), "trashed_at": iso_in(task.trashed_at, zone)}


class PageQuerySerializer(QueryParametersSerializer):
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )
    cursor = serializers.CharField(required=False, max_length=2048, trim_whitespace=False)


class TaskEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskEvent
        fields = ["id", "kind", "changes", "actor_id", "created_at"]


class BulkSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(child=id_field(), min_length=1, max_length=100)
    action = serializers.ChoiceField(choices=BULK_ACTIONS)
    value = serializers.JSONField(required=False, help_text="status, priority name or label id, per action")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        action, value = attrs["action"], attrs.get("value")
        fields: dict[str, serializers.Field] = {
            "set_status": serializers.ChoiceField(choices=Task.Status.values),
            "set_priority": PriorityField(),
            "add_label": id_field(),
            "remove_label": id_field(),
        }
        expected = fields.get(action)
        if expected is None:
            if value is not None:
                raise serializers.ValidationError({"value": [f"The action {action} takes no value."]})
            return attrs
        if value is None:
            raise serializers.ValidationError({"value": [f"The action {action} needs a value."]})
        try:
            attrs["value"] = expected.run_validation(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"value": exc.detail}) from exc
        attrs["ids"] = list(dict.fromkeys(attrs["ids"]))
        return attrs


class BulkResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    matched = serializers.IntegerField()
    changed = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_priority = serializers.DictField(child=serializers.IntegerField())
    overdue = serializers.IntegerField()
    due_today = serializers.IntegerField()
    completed_last_7_days = serializers.IntegerField()
    today = serializers.DateField()


class ProjectSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A project: what you send to create or change one, and what TMS answers (with your ``role``)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        max_length=100, help_text="1–100 characters, unique among the owner's projects."
    )
    description = serializers.CharField(max_length=2_000, allow_blank=True, required=False, default="")
    colour = serializers.RegexField(
        r"^#[0-9a-fA-F]{6}$", required=False, default="#2563eb", help_text="#rrggbb"
    )
    archived = StrictBooleanField(required=False, help_text="Archived: its tasks leave the default list.")
    owner = UserRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Project.Role.values, read_only=True, help_text="Your role.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class TrashedProjectSerializer(ProjectSerializer):
    trashed_at = serializers.DateTimeField(read_only=True)


def project_data(project: Project, role: str) -> dict[str, Any]:
    """ProjectSerializer's answer for ``project`` seen by someone with ``role`` (its owner loaded)."""
    zone = timezone.get_current_timezone()
    owner = project.owner
    data = {
        "id": project.pk,
        "name": project.name,
        "description": project.description,
        "colour": project.colour,
        "archived": project.archived,
        "owner": UserRef(owner.pk, owner.username, owner.display_name).as_dict(),
        "role": role,
        "created_at": iso_in(project.created_at, zone),
        "updated_at": iso_in(project.updated_at, zone),
    }
    if project.trashed_at is not None:
        data["trashed_at"] = iso_in(project.trashed_at, zone)
    return data


class ProjectListQuerySerializer(QueryParametersSerializer):
    archived = QueryBooleanField(
        required=False, help_text="Only archived (true) or only active (false) projects."
    )
    page_size = serializers.IntegerField(
        required=False, default=DEFAULT_PAGE_SIZE, min_value=1, max_value=MAX_PAGE_SIZE
    )
    cursor = serializers.CharField(required=False, max_length=2048, trim_whitespace=False)


class MemberSerializer(serializers.Serializer):
    user = UserRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Project.Role.values, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


def member_data(member: ProjectMember) -> dict[str, Any]:
    user = member.user
    return {
        "user": UserRef(user.pk, user.username, user.display_name).as_dict(),
        "role": member.role,
        "created_at": iso_in(member.created_at, timezone.get_current_timezone()),
    }


INVITABLE_ROLES = [Project.Role.VIEWER, Project.Role.EDITOR, Project.Role.ADMIN]


class MemberAddSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    user = serializers.CharField(max_length=254, help_text="A username, or an e-mail address (contains @).")
    role = serializers.ChoiceField(choices=INVITABLE_ROLES, required=False, default=Project.Role.EDITOR)


class MemberRoleSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=INVITABLE_ROLES)


class InviteSentSerializer(serializers.Serializer):
    detail = serializers.CharField()


class CommentSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    author = UserRefSerializer(
        read_only=True, allow_null=True, help_text="null once the author's account is gone."
    )
    body = serializers.CharField(max_length=10_000, help_text="Plain text, 1–10,000 characters; never HTML.")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    edited = serializers.BooleanField(read_only=True)


def comment_data(comment: Comment) -> dict[str, Any]:
    zone = timezone.get_current_timezone()
    author = comment.author
    return {
        "id": comment.pk,
        "author": UserRef(author.pk, author.username, author.display_name).as_dict() if author else None,
        "body": comment.body,
        "created_at": iso_in(comment.created_at, zone),
        "updated_at": iso_in(comment.updated_at, zone),
        "edited": comment.edited,
    }
