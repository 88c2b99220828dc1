"""/api/tasks/: list, create, retrieve, replace, update, delete; complete, reopen, move."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.selectors import ORDERINGS, task_list
from tasks.serializers import TaskListQuerySerializer, TaskMoveSerializer, TaskPageSerializer, TaskSerializer
from tasks.services import task_complete, task_create, task_delete, task_move, task_reopen, task_update
from tasks.views.base import TaskAPIView
from tms_project.api.keyset import KeysetPaginator


class TaskListView(TaskAPIView):
    @extend_schema(
        operation_id="tasks_list",
        parameters=[TaskListQuerySerializer],
        responses={200: TaskPageSerializer},
        summary="List tasks",
    )
    def get(self, request: Request) -> Response:
        query = TaskListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        tasks = task_list(owner_id=self.owner_id(request), filters=filters, time_zone=self.time_zone(request))
        paginator = KeysetPaginator(
            request,
            name=filters["ordering"],
            keys=ORDERINGS[filters["ordering"]],
            page_size=filters["page_size"],
        )
        page = paginator.page(tasks)
        return Response(
            {
                "results": TaskSerializer(page["rows"], many=True).data,
                "next": page["next"],
                "previous": page["previous"],
            }
        )

    @extend_schema(request=TaskSerializer, responses={201: TaskSerializer}, summary="Create a task")
    def post(self, request: Request) -> Response:
        serializer = TaskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = task_create(owner_id=self.owner_id(request), **serializer.validated_data)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)


class TaskDetailView(TaskAPIView):
    @extend_schema(responses={200: TaskSerializer}, summary="A task")
    def get(self, request: Request, task_id: int) -> Response:
        return Response(TaskSerializer(self.get_task(request, task_id)).data)

    def _update(self, request: Request, task_id: int, *, partial: bool) -> Response:
        task = self.get_task(request, task_id)
        serializer = TaskSerializer(task, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        task = task_update(task=task, data=dict(serializer.validated_data))
        return Response(TaskSerializer(task).data)

    @extend_schema(request=TaskSerializer, responses={200: TaskSerializer}, summary="Replace a task")
    def put(self, request: Request, task_id: int) -> Response:
        return self._update(request, task_id, partial=False)

    @extend_schema(request=TaskSerializer, responses={200: TaskSerializer}, summary="Change some fields")
    def patch(self, request: Request, task_id: int) -> Response:
        return self._update(request, task_id, partial=True)

    @extend_schema(responses={204: None}, summary="Delete a task")
    def delete(self, request: Request, task_id: int) -> Response:
        task_delete(task=self.get_task(request, task_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskCompleteView(TaskAPIView):
    @extend_schema(request=None, responses={200: TaskSerializer}, summary="Mark done")
    def post(self, request: Request, task_id: int) -> Response:
        return Response(TaskSerializer(task_complete(task=self.get_task(request, task_id))).data)


class TaskReopenView(TaskAPIView):
    @extend_schema(request=None, responses={200: TaskSerializer}, summary="Reopen (back to todo)")
    def post(self, request: Request, task_id: int) -> Response:
        return Response(TaskSerializer(task_reopen(task=self.get_task(request, task_id))).data)


class TaskMoveView(TaskAPIView):
    @extend_schema(request=TaskMoveSerializer, responses={200: TaskSerializer}, summary="Move on the board")
    def post(self, request: Request, task_id: int) -> Response:
        task = self.get_task(request, task_id)
        serializer = TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(TaskSerializer(task_move(task=task, **serializer.validated_data)).data)
