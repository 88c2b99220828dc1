from typing import Any, Protocol

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from tasks.errors import QuotaExceeded, TaskNotFound
from tasks.models import Label, Task, TaskEvent
from tasks.services.quotas import MAX_LABELS_PER_TASK, ensure_label_room
from tasks.services.tasks import task_complete, task_reopen, task_restore


class TaskAction(Protocol):
    """A task service the admin's actions call for each selected task."""

    def __call__(self, *, user_id: int, task_id: int, actor_id: int | None) -> Task: ...


class TrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trashed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", "Not in the trash"), ("yes", "In the trash")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> QuerySet[Task]:
        if self.value() in ("yes", "no"):
            return queryset.filter(trashed_at__isnull=self.value() == "no")
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
    """Staff edits keep the caps the API keeps (docs/api.md)."""

    def clean_labels(self) -> QuerySet[Label]:
        labels = self.cleaned_data["labels"]
        if len(labels) > MAX_LABELS_PER_TASK:
            raise forms.ValidationError(f"A task has at most {MAX_LABELS_PER_TASK} labels.")
        return labels


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
        "status",
        "priority",
        "due_date",
        "completed_at",
        "trashed_at",
        "updated_at",
    )
    list_filter = ("status", "priority", "due_date", TrashFilter, ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__username", "owner__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("owner",)
    filter_horizontal = ("labels",)
    readonly_fields = ("completed_at", "position", "version", "trashed_at", "created_at", "updated_at")
    inlines = [TaskEventInline]
    actions = ["mark_done", "reopen", "restore"]
    list_per_page = 100

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
