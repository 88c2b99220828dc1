from django.urls import include, path

import tms_project.api.ids  # noqa: F401 - registers the <id:...> path converter
from tasks.calendar.views import CalendarFeedView, calendar_file
from tasks.views.bulk import BulkView, StatsView
from tasks.views.comments import CommentDetailView, CommentListView
from tasks.views.labels import LabelDetailView, LabelListView
from tasks.views.notifications import (
    NotificationListView,
    NotificationReadView,
    NotificationSettingsView,
    NotificationSummaryView,
)
from tasks.views.projects import (
    MemberDetailView,
    MemberListView,
    ProjectDetailView,
    ProjectListView,
    ProjectRestoreView,
    ProjectTrashView,
)
from tasks.views.push import PushInfoView, PushSubscriptionsView
from tasks.views.tasks import (
    TaskCompleteView,
    TaskDetailView,
    TaskHistoryView,
    TaskListView,
    TaskMoveView,
    TaskReopenView,
)
from tasks.views.transfer import ExportView, ImportView
from tasks.views.trash import TaskRestoreView, TrashListView, TrashPurgeView

app_name = "tasks"

urlpatterns = [
    path("", TaskListView.as_view(), name="list"),
    path("<id:task_id>/", TaskDetailView.as_view(), name="detail"),
    path("<id:task_id>/complete/", TaskCompleteView.as_view(), name="complete"),
    path("<id:task_id>/reopen/", TaskReopenView.as_view(), name="reopen"),
    path("<id:task_id>/move/", TaskMoveView.as_view(), name="move"),
    path("<id:task_id>/history/", TaskHistoryView.as_view(), name="history"),
    path("<id:task_id>/restore/", TaskRestoreView.as_view(), name="restore"),
    path("<id:task_id>/comments/", CommentListView.as_view(), name="comments"),
    path("<id:task_id>/comments/<id:comment_id>/", CommentDetailView.as_view(), name="comment-detail"),
    path("trash/", TrashListView.as_view(), name="trash"),
    path("trash/<id:task_id>/", TrashPurgeView.as_view(), name="trash-purge"),
    path("labels/", LabelListView.as_view(), name="labels"),
    path("labels/<id:label_id>/", LabelDetailView.as_view(), name="label-detail"),
    path("projects/", ProjectListView.as_view(), name="projects"),
    path("projects/trash/", ProjectTrashView.as_view(), name="project-trash"),
    path("projects/<id:project_id>/", ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<id:project_id>/restore/", ProjectRestoreView.as_view(), name="project-restore"),
    path("projects/<id:project_id>/members/", MemberListView.as_view(), name="project-members"),
    path("projects/<id:project_id>/members/<id:user_id>/", MemberDetailView.as_view(), name="project-member"),
    path("bulk/", BulkView.as_view(), name="bulk"),
    path("stats/", StatsView.as_view(), name="stats"),
    path("export/", ExportView.as_view(), name="export"),
    path("import/", ImportView.as_view(), name="import"),
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("notifications/summary/", NotificationSummaryView.as_view(), name="notifications-summary"),
    path("notifications/read/", NotificationReadView.as_view(), name="notifications-read"),
    path("notifications/settings/", NotificationSettingsView.as_view(), name="notifications-settings"),
    path("push/", PushInfoView.as_view(), name="push"),
    path("push/subscriptions/", PushSubscriptionsView.as_view(), name="push-subscriptions"),
    path("webhooks/", include("tasks.webhooks.urls")),
    path("calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    # No session: the token in the path is the credential (tms_project.redaction keeps it out of logs).
    path("calendar/<str:token>.ics", calendar_file, name="calendar-file"),
]
