"""The task service's routes and the benchmark's baselines."""

from django.urls import path

from bench import baselines
from tms_project.urls.tasks import urlpatterns as task_urlpatterns

urlpatterns = [
    *task_urlpatterns,
    path("bench/json/", baselines.bare_json),
    path("bench/raw-read/", baselines.raw_read),
    path("bench/raw-insert/", baselines.raw_insert),
]
