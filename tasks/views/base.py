"""What every /api/tasks/ view shares: stateless token authentication, the owner, ETags."""

import re

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

from accounts.tokens import TIME_ZONE_CLAIM
from tasks.models import Task
from tasks.selectors import labels_attach
from tasks.serializers import TaskSerializer

_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d+)"\s*')


class TaskAPIView(APIView):
    # The task service trusts the signed token alone: no user lookup, no call to auth.
    authentication_classes = [JWTStatelessUserAuthentication]

    def owner_id(self, request: Request) -> int:
        return int(request.user.id)

    # Every change is made by the owner through the API.
    actor_id = owner_id

    def time_zone(self, request: Request) -> str:
        return request.auth.get(TIME_ZONE_CLAIM, "UTC")

    def if_match(self, request: Request) -> list[int] | None:
        """The versions an If-Match header accepts; None when absent or ``*``."""
        header = request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return None
        # An unparseable tag matches no version, so the write is refused with 412.
        return [int(match.group(1)) for part in header.split(",") if (match := _ENTITY_TAG.fullmatch(part))]


def etag(task: Task) -> str:
    return f'"{task.version}"'


def task_response(task: Task, status: int = 200) -> Response:
    labels_attach([task])
    response = Response(TaskSerializer(task).data, status=status)
    response["ETag"] = etag(task)
    return response
