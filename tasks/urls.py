from django.urls import path

from tasks.views.tasks import TaskCompleteView, TaskDetailView, TaskListView, TaskMoveView, TaskReopenView

app_name = "tasks"

urlpatterns = [
    path("", TaskListView.as_view(), name="list"),
    path("<int:task_id>/", TaskDetailView.as_view(), name="detail"),
    path("<int:task_id>/complete/", TaskCompleteView.as_view(), name="complete"),
    path("<int:task_id>/reopen/", TaskReopenView.as_view(), name="reopen"),
    path("<int:task_id>/move/", TaskMoveView.as_view(), name="move"),
]
