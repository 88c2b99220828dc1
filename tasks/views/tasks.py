"""/api/tasks/: list, create, retrieve, replace, update, trash; complete, reopen, move, history."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.orderings import HISTORY_ORDERING, ORDERINGS
from tasks.representation import task_page
from tasks.selectors import TASK_COLUMNS, history_as_read_by, task_events, task_get, task_list
from tasks.serializers import (
    PageQuerySerializer,
    TaskEventSerializer,
    TaskListQuerySerializer,
    TaskMoveSerializer,
    TaskSerializer,
)
from tasks.services.idempotency import request_fingerprint, run_once, validate_key
from tasks.services.tasks import task_complete, task_create, task_move, task_reopen, task_trash, task_update
from tasks.views.base import TaskAPIView, task_response
from tms_project.api.pagination import KeysetPagination

IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description='The ETag you read (e.g. "7"); the write is refused with 412 if the task changed since.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description="A unique string (a UUID): a retry with the same key gets the first answer for 24 hours.",
)

CREATE_CONFLICT = OpenApiResponse(
    description=(
        "Your task quota is reached (code quota_exceeded), or a request with this Idempotency-Key"
        " is still being processed (code idempotency_key_in_use); nothing was written"
    )
)


class TaskListView(TaskAPIView):
    reads_on_replica = True
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="tasks_list",
        parameters=[TaskListQuerySerializer],
        responses={200: TaskSerializer(many=True)},
        summary="List tasks",
    )
    def get(self, request: Request) -> Response:
        query = TaskListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        user_id = self.user_id(request)
        tasks = task_list(user_id=user_id, filters=filters, time_zone=self.time_zone(request))
        ordering = ORDERINGS[filters["ordering"]]
        rows = self.paginate(request, tasks, ordering=ordering, query=filters, values=TASK_COLUMNS)
        return self.paginated_response(task_page(rows, user_id))

    @extend_schema(
        request=TaskSerializer,
        responses={201: TaskSerializer, 409: CREATE_CONFLICT},
        parameters=[IDEMPOTENCY_KEY],
        summary="Create a task",
    )
    def post(self, request: Request) -> Response:
        serializer = TaskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_id = self.user_id(request)

        def create() -> tuple[int, dict]:
            task = task_create(user_id=user_id, actor_id=user_id, **serializer.validated_data)
            return status.HTTP_201_CREATED, task_response(task, user_id).data

        key = request.headers.get("Idempotency-Key")
        if key is None:
            code, body = create()
            replayed = False
        else:
            outcome = run_once(
                owner_id=user_id,
                key=validate_key(key),
                fingerprint=request_fingerprint(request.data),
                create=create,
            )
            code, body, replayed = outcome.status_code, outcome.body, outcome.replayed
        response = Response(body, status=code)
        response["ETag"] = f'"{body["version"]}"'
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class TaskDetailView(TaskAPIView):
    reads_on_replica = True

    @extend_schema(responses={200: TaskSerializer}, summary="A task")
    def get(self, request: Request, task_id: int) -> Response:
        user_id = self.user_id(request)
        return task_response(task_get(user_id=user_id, task_id=task_id), user_id)

    def _update(self, request: Request, task_id: int, *, partial: bool) -> Response:
        serializer = TaskSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        task = task_update(
            user_id=self.user_id(request),
            task_id=task_id,
            actor_id=self.actor_id(request),
            data=dict(serializer.validated_data),
            if_match=self.if_match(request),
        )
        return task_response(task, self.user_id(request))

    @extend_schema(
        request=TaskSerializer,
        responses={200: TaskSerializer},
        parameters=[IF_MATCH],
        summary="Replace a task",
    )
    def put(self, request: Request, task_id: int) -> Response:
        return self._update(request, task_id, partial=False)

    @extend_schema(
        request=TaskSerializer,
        responses={200: TaskSerializer},
        parameters=[IF_MATCH],
        summary="Change some fields",
    )
    def patch(self, request: Request, task_id: int) -> Response:
        return self._update(request, task_id, partial=True)

    @extend_schema(responses={204: None}, parameters=[IF_MATCH], summary="Move a task to the trash")
    def delete(self, request: Request, task_id: int) -> Response:
        task_trash(
            user_id=self.user_id(request),
            task_id=task_id,
            actor_id=self.actor_id(request),
            if_match=self.if_match(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskCompleteView(TaskAPIView):
    @extend_schema(
        request=None,
        responses={200: TaskSerializer},
        summary="Mark done",
        description="A repeating task is recorded done and moves to its next occurrence (back to `todo`);"
        " once its rule is exhausted it stays done.",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = task_complete(user_id=self.user_id(request), task_id=task_id, actor_id=self.actor_id(request))
        return task_response(task, self.user_id(request))


class TaskReopenView(TaskAPIView):
    @extend_schema(request=None, responses={200: TaskSerializer}, summary="Reopen (back to todo)")
    def post(self, request: Request, task_id: int) -> Response:
        task = task_reopen(user_id=self.user_id(request), task_id=task_id, actor_id=self.actor_id(request))
        return task_response(task, self.user_id(request))


class TaskMoveView(TaskAPIView):
    @extend_schema(request=TaskMoveSerializer, responses={200: TaskSerializer}, summary="Move on the board")
    def post(self, request: Request, task_id: int) -> Response:
        serializer = TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_move(
            user_id=self.user_id(request),
            task_id=task_id,
            actor_id=self.actor_id(request),
            **serializer.validated_data,
        )
        return task_response(task, self.user_id(request))


class TaskHistoryView(TaskAPIView):
    reads_on_replica = True
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="tasks_history_retrieve",
        parameters=[PageQuerySerializer],
        responses={200: TaskEventSerializer(many=True)},
        summary="A task's history",
    )
    def get(self, request: Request, task_id: int) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user_id = self.user_id(request)
        events = task_events(user_id=user_id, task_id=task_id)
        rows = self.paginate(request, events, ordering=HISTORY_ORDERING, query=query.validated_data)
        return self.paginated_response(TaskEventSerializer(history_as_read_by(rows, user_id), many=True).data)
