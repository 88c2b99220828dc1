"""TMS_SERVICE=tasks: the tasks API only."""

from django.urls import include, path

from tms_project.urls.common import urlpatterns as common_urlpatterns

role_urlpatterns = [
    path("api/tasks/", include("tasks.urls")),
]

urlpatterns = [*role_urlpatterns, *common_urlpatterns]
