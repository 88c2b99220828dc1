"""/api/tasks/notifications/: what a person was told (newest first), what is unread, their channels."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.notifications import inbox
from tasks.notifications.serializers import (
    NotificationQuerySerializer,
    NotificationSerializer,
    ReadSerializer,
    SettingsSerializer,
    SummarySerializer,
    UpdatedSerializer,
    notification_data,
    settings_data,
)
from tasks.views.base import TaskAPIView
from tms_project.api.pagination import Key, KeysetPagination, Ordering

# Newest first: the primary key follows creation, and (user, id) is an index.
NOTIFICATION_ORDERING = Ordering("notifications", (Key("id", descending=True),))


class NotificationListView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "NotificationPage"

    @extend_schema(
        operation_id="tasks_notifications_list",
        parameters=[NotificationQuerySerializer],
        responses={200: NotificationSerializer(many=True)},
        summary="Your notifications, newest first (?unread=true: only the unread)",
    )
    def get(self, request: Request) -> Response:
        query = NotificationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = inbox.notifications_of(self.user_id(request), unread=query.validated_data["unread"])
        page = self.paginate(request, rows, ordering=NOTIFICATION_ORDERING, query=query.validated_data)
        zone = self.time_zone(request)
        return self.paginated_response([notification_data(note, zone) for note in page])


class NotificationSummaryView(TaskAPIView):
    @extend_schema(responses={200: SummarySerializer}, summary="How many of your notifications are unread")
    def get(self, request: Request) -> Response:
        return Response({"unread": inbox.unread_count(self.user_id(request))})


class NotificationReadView(TaskAPIView):
    @extend_schema(
        request=ReadSerializer,
        responses={200: UpdatedSerializer},
        summary='Mark notifications read: {"ids": [...]} or {"all": true}',
    )
    def post(self, request: Request) -> Response:
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        return Response({"updated": inbox.mark_read(self.user_id(request), ids)})


class NotificationSettingsView(TaskAPIView):
    @extend_schema(responses={200: SettingsSerializer}, summary="Your notification channels")
    def get(self, request: Request) -> Response:
        return Response(settings_data(inbox.settings_of(self.user_id(request))))

    @extend_schema(
        request=SettingsSerializer, responses={200: SettingsSerializer}, summary="Choose your channels"
    )
    def patch(self, request: Request) -> Response:
        serializer = SettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = inbox.settings_update(self.user_id(request), dict(serializer.validated_data))
        return Response(settings_data(row))
