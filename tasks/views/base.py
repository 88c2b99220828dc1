"""What every /api/tasks/ view shares: stateless token authentication (or a personal access
token, its scopes and its project), per-user rate limits, the person asking, ETags and
conditional GETs (tms_project.api.conditional)."""

import re
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.tokens import Token

from tasks.models import Task
from tasks.selectors import details_attach
from tasks.serializers import TaskSerializer
from tms_project.api.conditional import conditional_answer
from tms_project.api.pagination import KeysetPagination, Ordering
from tms_project.api.replica_reads import ReplicaReadsMixin
from tms_project.claims import TIME_ZONE_CLAIM
from tms_project.personal_tokens.authentication import PersonalTokenAuthentication
from tms_project.personal_tokens.permissions import InsufficientScope, PersonalTokenScope
from tms_project.personal_tokens.verify import VerifiedToken
from tms_project.ratelimit import hit

# The version an If-Match tag names: the version alone ("7", what the web app sends from the
# body) or the ETag as sent ("7-<hash of the body>"), weak or strong; the hash is not compared.
_ENTITY_TAG = re.compile(r'\s*(?:W/)?"(\d+)(?:-[0-9a-f]{1,64})?"\s*')

# The budget every POST, PUT, PATCH and DELETE of the task service spends (settings.TMS_RATE_LIMITS).
WRITE_LIMIT = "tasks_write"

QUOTA_EXCEEDED = OpenApiResponse(
    description="A quota of your account would be exceeded (code quota_exceeded); nothing was written"
)

# Routes a project-bound personal access token reaches (by URL name), and what names its project.
_TASK_ROUTES = frozenset(
    {"detail", "complete", "reopen", "move", "history", "restore", "comments", "comment-detail"}
)
_PROJECT_ROUTES = frozenset({"project-detail", "project-restore", "project-members", "project-member"})


def _outside(project_id: int) -> InsufficientScope:
    return InsufficientScope(
        f"project:{project_id}",
        f"This personal access token is confined to project {project_id}; this request is outside it.",
    )


def _list_only_the_project(request: Request, project_id: int) -> None:
    named = request.query_params.getlist("project")
    if named and named != [str(project_id)]:
        raise NotFound  # as for a project one is not a member of
    query = request._request.GET.copy()
    query["project"] = str(project_id)
    request._request.GET = query  # type: ignore[assignment]  # a copy, the project set


def _creates_in_the_project(request: Request, project_id: int) -> bool:
    body: Any = request.data
    if not isinstance(body, dict):
        return False
    parent = body.get("parent")
    if parent is None:
        return body.get("project") == project_id
    # A sub-task goes to its parent's project.
    in_project = isinstance(parent, int) and Task.objects.filter(pk=parent, project_id=project_id).exists()
    return in_project and body.get("project", project_id) == project_id


def confine_to_project(request: Request, kwargs: dict[str, Any], *, project_id: int) -> None:
    """A token bound to one project reaches that project, its tasks, comments and members.

    Another project or task is 404, as for one that does not exist; the list shows that project
    only (``?project=`` is set to it; another value is 404); a write that would put a task
    elsewhere, and every other route (labels, stats, export, import, trash, bulk,
    notifications, webhooks, the project list), is 403 ``insufficient_scope``.
    """
    match = request.resolver_match
    route = match.url_name if match is not None and match.namespaces == ["tasks"] else None
    if route == "list" and request.method in SAFE_METHODS:
        _list_only_the_project(request, project_id)
    elif route == "list":
        if not _creates_in_the_project(request, project_id):
            raise _outside(project_id)
    elif route in _TASK_ROUTES:
        if not Task.objects.filter(pk=kwargs["task_id"], project_id=project_id).exists():
            raise NotFound
        body: Any = request.data if request.method in ("PUT", "PATCH") else {}
        if isinstance(body, dict) and "project" in body and body["project"] != project_id:
            raise _outside(project_id)
    elif route in _PROJECT_ROUTES:
        if kwargs["project_id"] != project_id:
            raise NotFound
    else:
        raise _outside(project_id)


class TaskAPIView(ReplicaReadsMixin, APIView):
    # The task service trusts the signed token alone: no user lookup, no call to auth. A personal
    # access token (Bearer tms_pat_...) is checked against its row instead, on every request.
    authentication_classes = [PersonalTokenAuthentication, JWTStatelessUserAuthentication]
    permission_classes = [IsAuthenticated, PersonalTokenScope]
    # HTTP method -> the named limit it spends too, for the costly endpoints.
    rate_limits: dict[str, str] = {}
    # A GET answers with an ETag of its body and 304 to an If-None-Match naming it (also in the schema).
    # Every successful write pins its user to the primary; views that set reads_on_replica = True
    # may read the replica (tms_project.api.replica_reads, docs/operations.md "Read replica").
    conditional_gets = True

    def check_permissions(self, request: Request) -> None:
        """As DRF does, then a project-bound personal access token stays in its project."""
        super().check_permissions(request)
        token = request.auth
        if isinstance(token, VerifiedToken) and token.project_id is not None:
            confine_to_project(request, self.kwargs, project_id=token.project_id)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """As DRF does, then the ETag of the body, and 304 for a GET whose If-None-Match names it."""
        response = super().dispatch(request, *args, **kwargs)
        if not self.conditional_gets:
            return response
        # Only a success was authenticated for sure: reading the user of an error could run the
        # authentication that failed once more.
        reader = self.user_id(self.request) if 200 <= response.status_code < 300 else None
        return conditional_answer(self.request, response, reader=reader)

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
        self,
        request: Request,
        queryset: QuerySet,
        *,
        ordering: Ordering,
        query: dict[str, Any],
        values: tuple[str, ...] = (),
    ) -> list[Any]:
        """The rows of one page, after the validated ``cursor`` of ``query`` (see KeysetPagination);
        dicts of ``values`` when given."""
        self.paginator = KeysetPagination()
        return self.paginator.paginate_queryset(
            queryset,
            request,
            self,
            ordering=ordering,
            cursor=query.get("cursor"),
            page_size=query["page_size"],
            values=values,
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
        if isinstance(token, VerifiedToken):  # the token's user's, read with the token
            return token.time_zone
        if not isinstance(token, Token):  # no token: IsAuthenticated refused the request before
            raise NotAuthenticated
        return token.get(TIME_ZONE_CLAIM, "UTC")

    def if_match(self, request: Request) -> list[int] | None:
        """The versions an If-Match header accepts; None when absent or ``*``.

        Only the version is compared, not the whole ETag: a sub-task ticked or a label renamed
        changes the body's hash but is no conflict with an edit of the task (docs/decisions.md)."""
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
