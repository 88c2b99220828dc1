"""What every /api/tasks/ view shares: stateless token authentication, per-user rate limits,
the person asking, ETags."""

import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.tokens import Token

from tasks.models import Task
from tasks.selectors import details_attach
from tasks.serializers import TaskSerializer
from tms_project.api.pagination import KeysetPagination, Ordering
from tms_project.claims import TIME_ZONE_CLAIM
from tms_project.ratelimit import hit

_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d+)"\s*')

# The budget every POST, PUT, PATCH and DELETE of the task service spends (settings.TMS_RATE_LIMITS).
WRITE_LIMIT = "tasks_write"

QUOTA_EXCEEDED = OpenApiResponse(
    description="A quota of your account would be exceeded (code quota_exceeded); nothing was written"
)


class TaskAPIView(APIView):
    # The task service trusts the signed token alone: no user lookup, no call to auth.
    authentication_classes = [JWTStatelessUserAuthentication]
    # HTTP method -> the named limit it spends too, for the costly endpoints.
    rate_limits: dict[str, str] = {}

    def check_throttles(self, request: Request) -> None:
        """Count the request against its user's limits, or refuse it with 429 (503 without the store).

        DRF runs this after authentication and before the handler: before the body is
        parsed and before any query.
        """
        super().check_throttles(request)
        names = [] if request.method in SAFE_METHODS else [WRITE_LIMIT]
        if request.method in self.rate_limits:
            names.append(self.rate_limits[request.method])
        user = f"user:{self.user_id(request)}"
        for name in names:
            hit(request, name, value=user)

    def paginate(
        self, request: Request, queryset: QuerySet, *, ordering: Ordering, query: dict[str, Any]
    ) -> list[Any]:
        """The rows of one page, after the validated ``cursor`` of ``query`` (see KeysetPagination)."""
        self.paginator = KeysetPagination()
        return self.paginator.paginate_queryset(
            queryset,
            request,
            self,
            ordering=ordering,
            cursor=query.get("cursor"),
            page_size=query["page_size"],
        )

    def paginated_response(self, data: Any) -> Response:
        return self.paginator.get_paginated_response(data)

    def user_id(self, request: Request) -> int:
        # A TokenUser: its id is the token's user id claim, which may hold the digits as a string.
        user_id = request.user.id
        if user_id is None:  # AnonymousUser: IsAuthenticated refused it before the handler ran
            raise NotAuthenticated
        return int(user_id)

    # Every change through the API is made by the person asking.
    actor_id = user_id

    def time_zone(self, request: Request) -> str:
        token = request.auth
        if not isinstance(token, Token):  # no token: IsAuthenticated refused the request before
            raise NotAuthenticated
        return token.get(TIME_ZONE_CLAIM, "UTC")

    def if_match(self, request: Request) -> list[int] | None:
        """The versions an If-Match header accepts; None when absent or ``*``."""
        header = request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return None
        # An unparseable tag matches no version, so the write is refused with 412.
        return [int(match.group(1)) for part in header.split(",") if (match := _ENTITY_TAG.fullmatch(part))]


def etag(task: Task) -> str:
    return f'"{task.version}"'


def task_response(task: Task, viewer_id: int, status: int = 200) -> Response:
    details_attach([task], viewer_id)
    response = Response(TaskSerializer(task).data, status=status)
    response["ETag"] = etag(task)
    return response
