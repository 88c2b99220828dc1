"""TMS_SERVICE=tasks: the tasks API only."""

from django.urls import include, path

from tms_project.urls.common import urlpatterns as common_urlpatterns

role_urlpatterns = [
    path("api/tasks/", include("tasks.urls")),
]

urlpatterns = [*role_urlpatterns, *common_urlpatterns]

# An error outside the API's own handling (e.g. in the outermost middleware): JSON under /api/ too.
handler500 = "tms_project.middleware.api_errors.server_error"
