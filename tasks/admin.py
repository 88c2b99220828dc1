from django.contrib import admin, messages

from tasks.models import Task
from tasks.services import task_complete, task_reopen


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "status", "priority", "due_date", "completed_at", "updated_at")
    list_filter = ("status", "priority", "due_date", ("owner", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__username", "owner__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("owner",)
    readonly_fields = ("completed_at", "position", "created_at", "updated_at")
    actions = ["mark_done", "reopen"]
    list_per_page = 100

    @admin.action(description="Mark the selected tasks done")
    def mark_done(self, request, queryset):
        tasks = list(queryset)
        for task in tasks:
            task_complete(task=task)
        self.message_user(request, f"Marked {len(tasks)} task(s) done.", messages.SUCCESS)

    @admin.action(description="Reopen the selected tasks")
    def reopen(self, request, queryset):
        tasks = list(queryset)
        for task in tasks:
            task_reopen(task=task)
        self.message_user(request, f"Reopened {len(tasks)} task(s).", messages.SUCCESS)
