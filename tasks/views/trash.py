"""The trash: list, restore, purge one."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.orderings import TRASH_ORDERING
from tasks.selectors import details_attach, trash_list
from tasks.serializers import PageQuerySerializer, TaskSerializer, TrashedTaskSerializer
from tasks.services.tasks import task_purge, task_restore
from tasks.views.base import TaskAPIView, task_response
from tms_project.api.pagination import KeysetPagination


class TrashListView(TaskAPIView):
    reads_on_replica = True
    pagination_class = KeysetPagination
    page_schema_name = "TrashPage"

    @extend_schema(
        operation_id="tasks_trash_retrieve",
        parameters=[PageQuerySerializer],
        responses={200: TrashedTaskSerializer(many=True)},
        summary="Trashed tasks",
    )
    def get(self, request: Request) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user_id = self.user_id(request)
        rows = self.paginate(
            request, trash_list(user_id=user_id), ordering=TRASH_ORDERING, query=query.validated_data
        )
        return self.paginated_response(TrashedTaskSerializer(details_attach(rows, user_id), many=True).data)


class TrashPurgeView(TaskAPIView):
    @extend_schema(responses={204: None}, summary="Delete a trashed task for good")
    def delete(self, request: Request, task_id: int) -> Response:
        task_purge(user_id=self.user_id(request), task_id=task_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskRestoreView(TaskAPIView):
    @extend_schema(
        request=None,
        responses={
            200: TaskSerializer,
            409: OpenApiResponse(
                description="The task's parent is still in the trash: restore it first (code parent_in_trash)"
            ),
        },
        summary="Take a task out of the trash",
    )
    def post(self, request: Request, task_id: int) -> Response:
        task = task_restore(user_id=self.user_id(request), task_id=task_id, actor_id=self.actor_id(request))
        return task_response(task, self.user_id(request))
