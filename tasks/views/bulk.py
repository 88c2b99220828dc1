"""/api/tasks/bulk/ and /api/tasks/stats/."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.selectors import task_stats
from tasks.serializers import BulkResultSerializer, BulkSerializer, StatsSerializer
from tasks.services.bulk import tasks_bulk_apply
from tasks.views.base import TaskAPIView


class BulkView(TaskAPIView):
    rate_limits = {"POST": "tasks_bulk"}

    @extend_schema(
        request=BulkSerializer, responses={200: BulkResultSerializer}, summary="One action on many tasks"
    )
    def post(self, request: Request) -> Response:
        serializer = BulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changed = tasks_bulk_apply(
            user_id=self.user_id(request),
            actor_id=self.actor_id(request),
            ids=data["ids"],
            action=data["action"],
            value=data.get("value"),
        )
        return Response({"action": data["action"], "matched": len(data["ids"]), "changed": changed})


class StatsView(TaskAPIView):
    reads_on_replica = True
    rate_limits = {"GET": "tasks_stats"}

    @extend_schema(responses={200: StatsSerializer}, summary="Counts by status, priority and due date")
    def get(self, request: Request) -> Response:
        return Response(task_stats(user_id=self.user_id(request), time_zone=self.time_zone(request)))
