from typing import Any, Protocol, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join

from tasks import access, recurrence
from tasks.errors import QuotaExceeded, TaskInvalid, TaskNotFound
from tasks.models import Comment, Label, Project, ProjectMember, RecurrenceBasis, Reminder, Task, TaskEvent
from tasks.services.hierarchy import check_parent
from tasks.services.members import MAX_ASSIGNEES
from tasks.services.quotas import MAX_LABELS_PER_TASK, ensure_label_room, ensure_task_room
from tasks.services.tasks import task_complete, task_create, task_reopen, task_restore, task_update

# The change form's fields that task_update takes as they are (the others need ids).
PLAIN_FIELDS = (
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "due_time",
    "recurrence",
    "recurrence_basis",
)


class TaskAction(Protocol):
    """A task service the admin's actions call for each selected task."""

    def __call__(self, *, user_id: int, task_id: int, actor_id: int | None) -> Task: ...


class TrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trashed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", "Not in the trash"), ("yes", "In the trash")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Tasks and projects alike: both have ``trashed_at``.
        if self.value() in ("yes", "no"):
            return queryset.filter(trashed_at__isnull=self.value() == "no")
        return queryset


class LevelFilter(admin.SimpleListFilter):
    title = "level"
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("top", "Top-level tasks"), ("sub", "Sub-tasks")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        if self.value() in ("top", "sub"):
            return queryset.filter(parent__isnull=self.value() == "top")
        return queryset


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    fields = ("created_at", "kind", "changes", "actor_id")
    readonly_fields = fields
    ordering = ("-id",)
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        return False


class TaskAdminForm(forms.ModelForm):
    """Staff edits keep the caps and rules the API keeps (docs/api.md): a task in a project belongs to
    the project's owner, its parent is a task of the same project (tasks.services.hierarchy), and its
    assignees are members of the project.

    TaskAdmin saves through tasks.services.tasks acting as the task's owner, so what the services would
    refuse is refused here first, as a form error rather than a server error: a task in the trash is
    restored before it is changed, an Inbox task stays with its owner, a task moves only to a project
    its owner may add tasks to, and only the owner's labels are set here (labels are personal)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read before validation copies the form's values onto the instance.
        self.owner_before: int | None = self.instance.owner_id if self.instance.pk is not None else None
        if "recurrence_basis" in self.fields:  # left out: the default, as in the API
            self.fields["recurrence_basis"].required = False
        if "due_time" in self.fields:
            self.fields["due_time"].help_text = "In the owner's time zone; needs a due date."
        if "recurrence" in self.fields:
            self.fields[
                "recurrence"
            ].help_text = (
                "An RRULE such as FREQ=WEEKLY;BYDAY=MO,FR or FREQ=MONTHLY;BYMONTHDAY=-1; needs a due date."
            )

    def clean_recurrence_basis(self) -> str:
        return self.cleaned_data.get("recurrence_basis") or RecurrenceBasis.DUE

    def clean_recurrence(self) -> str:
        try:
            return recurrence.normalise(self.cleaned_data.get("recurrence") or "")
        except recurrence.RuleInvalid as exc:
            raise forms.ValidationError(str(exc)) from exc

    def acting_owner_id(self, owner: Any) -> int:
        """Whose task the services see: its owner before this edit (a new task's chosen owner)."""
        return self.owner_before if self.owner_before is not None else owner.pk

    def clean_labels(self) -> QuerySet[Label]:
        labels = self.cleaned_data["labels"]
        if len(labels) > MAX_LABELS_PER_TASK:
            raise forms.ValidationError(f"A task has at most {MAX_LABELS_PER_TASK} labels.")
        return labels

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        owner, project = cleaned.get("owner"), cleaned.get("project")
        if owner is None:
            return cleaned
        if project is not None and project.owner_id != owner.pk:
            self.add_error("owner", f"A task in a project belongs to the project's owner ({project.owner}).")
            return cleaned
        moved = self.instance.pk is not None and self.instance.project_id != getattr(project, "pk", None)
        if moved and self.instance.subtasks.exists():
            self.add_error(
                "project", "This task has sub-tasks: move it in the app or the API, which moves them along."
            )
        if cleaned.get("due_date") is None and cleaned.get("due_time") is not None:
            self.add_error("due_time", "A due time needs a due date.")
        if cleaned.get("due_date") is None and cleaned.get("recurrence"):
            self.add_error("recurrence", "A repeating task needs a due date.")
        self._check_parent(owner, project, cleaned.get("parent"))
        self._check_assignees(owner, project, cleaned.get("assignees"))
        self._check_as_the_services_do(owner, project, cleaned.get("labels"))
        return cleaned

    def _check_as_the_services_do(self, owner: Any, project: Project | None, labels: Any) -> None:
        acting = self.acting_owner_id(owner)
        if self.instance.pk is None:
            try:
                ensure_task_room(owner_id=owner.pk, adding=1, for_project=project is not None)
            except QuotaExceeded as exc:
                self.add_error("owner", exc.message)
        elif self.instance.trashed_at is not None:
            self.add_error(None, "This task is in the trash: restore it (an action of the task list) first.")
            return
        project_id = getattr(project, "pk", None)
        if project_id is None and owner.pk != acting:
            self.add_error(
                "owner", "A task in an Inbox stays with its owner; it goes to another person with a project."
            )
        moved = self.instance.pk is not None and self.instance.project_id != project_id
        role = (
            access.project_role(acting, project_id)
            if moved and project_id and acting != owner.pk
            else access.OWNER
        )
        if not access.at_least(role, access.EDITOR):
            self.add_error(
                "project", "The task's owner is not an editor of this project, so the task cannot move there."
            )
        if labels is not None:
            theirs = {label.pk for label in labels if label.owner_id != acting}
            before = set() if self.instance.pk is None else self._others_labels(acting)
            if theirs != before:
                self.add_error("labels", "Labels are personal: only the task owner's labels are set here.")

    def _others_labels(self, acting: int) -> set[int]:
        return set(self.instance.labels.exclude(owner_id=acting).values_list("pk", flat=True))

    def _check_parent(self, owner: Any, project: Project | None, parent: Task | None) -> None:
        if parent is None:
            return
        candidate = Task(pk=self.instance.pk, owner_id=owner.pk, project_id=getattr(project, "pk", None))
        try:
            check_parent(candidate, parent)
        except TaskInvalid as exc:
            self.add_error("parent", exc.fields["parent"])

    def _check_assignees(self, owner: Any, project: Project | None, people: Any) -> None:
        if not people:
            return
        if len(people) > MAX_ASSIGNEES:
            self.add_error("assignees", f"A task has at most {MAX_ASSIGNEES} assignees.")
            return
        if project is None:
            allowed = {owner.pk}
        else:
            allowed = set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True))
        outside = sorted(person.username for person in people if person.pk not in allowed)
        if outside:
            where = "members of its project" if project else "its owner (it is in an Inbox)"
            self.add_error("assignees", f"A task is assigned only to {where}; not to {', '.join(outside)}.")


class LabelAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        owner = cleaned.get("owner")
        if owner is not None and (self.instance.pk is None or self.instance.owner_id != owner.pk):
            try:
                ensure_label_room(owner_id=owner.pk, adding=1)
            except QuotaExceeded as exc:
                self.add_error("owner", exc.message)
        return cleaned


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskAdminForm
    list_display = (
        "title",
        "owner",
        "project",
        "parent",
        "status",
        "priority",
        "due_date",
        "due_time",
        "repeats",
        "completed_at",
        "trashed_at",
        "updated_at",
    )
    list_filter = (
        "status",
        "priority",
        "due_date",
        TrashFilter,
        LevelFilter,
        ("owner", admin.RelatedOnlyFieldListFilter),
        ("project", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("owner", "project", "parent")
    search_fields = ("title", "description", "owner__username", "owner__email", "project__name")
    date_hierarchy = "created_at"
    # The changelist's own default, named so that the parent autocomplete pages in the same order.
    ordering = ("-pk",)
    autocomplete_fields = ("owner", "project", "parent", "assignees")
    filter_horizontal = ("labels",)
    readonly_fields = (
        "due_at",
        "recurrence_text",
        "recurrence_done",
        "reminder_list",
        "completed_at",
        "position",
        "version",
        "trashed_at",
        "created_at",
        "updated_at",
        "comment_thread",
    )
    inlines = [TaskEventInline]
    actions = ["mark_done", "reopen", "restore"]
    list_per_page = 100

    def save_model(self, request: HttpRequest, obj: Task, form: forms.ModelForm, change: bool) -> None:
        """Through the services the API uses, acting as the task's owner with the staff member as actor:
        status and ``completed_at`` stay consistent, the history records the change, and ``version``
        (the ETag) moves, so an editor open on the old version gets a conflict instead of overwriting."""
        cleaned = form.cleaned_data
        acting = cast(TaskAdminForm, form).acting_owner_id(cleaned["owner"])
        own_labels = [label.pk for label in cleaned.get("labels", []) if label.owner_id == acting]
        project = cleaned.get("project")
        parent = cleaned.get("parent")
        assignees = [person.pk for person in cleaned.get("assignees", [])]
        if not change:
            task = task_create(
                user_id=acting,
                actor_id=request.user.pk,
                **{field: cleaned[field] for field in PLAIN_FIELDS},
                labels=own_labels,
                project=getattr(project, "pk", None),
                parent=getattr(parent, "pk", None),
                assignees=assignees,
            )
            obj.pk = task.pk
        else:
            data: dict[str, Any] = {
                field: cleaned[field] for field in PLAIN_FIELDS if field in form.changed_data
            }
            if "project" in form.changed_data:
                data["project"] = getattr(project, "pk", None)
            if "parent" in form.changed_data:
                data["parent"] = getattr(parent, "pk", None)
            if "assignees" in form.changed_data:
                data["assignees"] = assignees
            if "labels" in form.changed_data:
                data["labels"] = own_labels
            task_update(user_id=acting, task_id=obj.pk, actor_id=request.user.pk, data=data)
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        # Labels and assignees were written by the service in save_model, with their history; the
        # form's own many-to-many save would write them again behind its back.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description="repeats")
    def repeats(self, task: Task) -> str:
        return recurrence.recurrence_text(task.recurrence) or "-"

    @admin.display(description="recurrence in words")
    def recurrence_text(self, task: Task) -> str:
        return recurrence.recurrence_text(task.recurrence) or "-"

    @admin.display(description="reminders")
    def reminder_list(self, task: Task) -> str:
        """Read-only: reminders are set through the API (which replaces the set and keeps ``fire_at``)."""
        rows = [
            (
                f"{reminder.before_minutes} min before"
                if reminder.at is None
                else f"at {reminder.at:%Y-%m-%d %H:%M} UTC",
                f"{reminder.fire_at:%Y-%m-%d %H:%M} UTC" if reminder.fire_at else "not scheduled",
            )
            for reminder in Reminder.objects.filter(task_id=task.pk).order_by("pk")
        ]
        if not rows:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} (fires: {})</li>", rows))

    @admin.display(description="comments")
    def comment_thread(self, task: Task) -> str:
        """The task's comments, oldest first, read-only. Their bodies are plain text: format_html and
        linebreaksbr escape them, so markup in a comment shows as typed and never runs."""
        comments = (
            Comment.objects.filter(task_id=task.pk).select_related("author").order_by("created_at", "pk")
        )
        rows = [
            (
                comment.created_at.strftime("%Y-%m-%d %H:%M"),
                comment.author.username if comment.author else "(deleted account)",
                " (edited)" if comment.edited else "",
                linebreaksbr(comment.body),
            )
            for comment in comments
        ]
        if not rows:
            return "-"
        return format_html(
            '<ol class="comment-thread">{}</ol>',
            format_html_join("", "<li><p><strong>{} {}{}</strong></p><p>{}</p></li>", rows),
        )

    def _each(self, request: HttpRequest, queryset: QuerySet[Task], service: TaskAction, verb: str) -> None:
        tasks = list(queryset.values_list("owner_id", "pk"))
        for owner_id, task_id in tasks:
            try:
                service(user_id=owner_id, task_id=task_id, actor_id=request.user.pk)
            except TaskNotFound:  # trashed or restored meanwhile: the admin's 404
                raise Http404 from None
        self.message_user(request, f"{verb} {len(tasks)} task(s).", messages.SUCCESS)

    @admin.action(description="Mark the selected tasks done")
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._each(request, queryset.filter(trashed_at__isnull=True), task_complete, "Marked done")

    @admin.action(description="Reopen the selected tasks")
    def reopen(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._each(request, queryset.filter(trashed_at__isnull=True), task_reopen, "Reopened")

    @admin.action(description="Restore the selected tasks from the trash")
    def restore(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._each(request, queryset.filter(trashed_at__isnull=False), task_restore, "Restored")


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    form = LabelAdminForm
    list_display = ("name", "colour", "owner", "created_at")
    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")
    autocomplete_fields = ("owner",)


class MemberInlineForm(forms.ModelForm):
    """A member row: the owner's row is fixed (the owner changes only when their account is deleted,
    tasks.services.handover); another row may change its role but not its person; nobody is made owner."""

    class Meta:
        model = ProjectMember
        fields = ("user", "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["user"].disabled = True
        if self.instance.pk is not None and self.instance.role == access.OWNER:
            self.fields["role"].disabled = True
        else:
            role = cast(forms.ChoiceField, self.fields["role"])  # the model field has choices
            role.choices = [(value, label) for value, label in Project.Role.choices if value != access.OWNER]


class MemberInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            leaving = form.cleaned_data.get("DELETE", False)
            if leaving and form.instance.role == access.OWNER:
                raise forms.ValidationError("The project's owner cannot be removed.")
            kept += not leaving
        limit = settings.TMS_QUOTA_PROJECT_MEMBERS
        if kept > limit:
            raise forms.ValidationError(f"A project has at most {limit} members.")


class MemberInline(admin.TabularInline):
    model = ProjectMember
    form = MemberInlineForm
    formset = MemberInlineFormSet
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    ordering = ("created_at", "id")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectMember]:
        return super().get_queryset(request).select_related("user")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects are made by people (who become their owners); staff read them, rename or archive them,
    and manage their members."""

    list_display = ("name", "owner", "member_count", "archived", "trashed_at", "created_at")
    list_filter = ("archived", TrashFilter)
    list_select_related = ("owner",)
    ordering = ("name", "pk")
    search_fields = ("name", "owner__username", "owner__email")
    fields = ("name", "owner", "description", "colour", "archived", "trashed_at", "created_at", "updated_at")
    readonly_fields = ("owner", "trashed_at", "created_at", "updated_at")
    inlines = [MemberInline]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="members", ordering="member_total")
    def member_count(self, project: Project) -> int:
        return getattr(project, "member_total", 0)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        removed: list[Model] = list(getattr(formset, "deleted_objects", []))
        gone = [member.user_id for member in removed if isinstance(member, ProjectMember)]
        if gone:
            # As when a member is removed through the API: their assignments in the project go too.
            Task.assignees.through.objects.filter(user_id__in=gone, task__project=form.instance).delete()
