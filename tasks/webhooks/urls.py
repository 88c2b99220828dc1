"""Mounted at /api/tasks/webhooks/ (tasks.urls), in the tasks namespace."""

from django.urls import URLPattern, path

import tms_project.api.ids  # noqa: F401 - registers the <id:...> path converter
from tasks.webhooks.views import (
    DeliveryListView,
    RedeliverView,
    WebhookDetailView,
    WebhookListView,
    WebhookPingView,
)

urlpatterns: list[URLPattern] = [
    path("", WebhookListView.as_view(), name="webhooks"),
    path("<id:webhook_id>/", WebhookDetailView.as_view(), name="webhook-detail"),
    path("<id:webhook_id>/ping/", WebhookPingView.as_view(), name="webhook-ping"),
    path("<id:webhook_id>/deliveries/", DeliveryListView.as_view(), name="webhook-deliveries"),
    path(
        "<id:webhook_id>/deliveries/<id:delivery_id>/redeliver/",
        RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
