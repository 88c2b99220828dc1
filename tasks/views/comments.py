"""/api/tasks/{id}/comments/: a task's discussion, in plain text."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.orderings import COMMENT_ORDERING
from tasks.serializers import CommentSerializer, PageQuerySerializer, comment_data
from tasks.services.comments import comment_add, comment_delete, comment_edit, comment_list
from tasks.views.base import QUOTA_EXCEEDED, TaskAPIView
from tasks.views.projects import FORBIDDEN
from tms_project.api.pagination import KeysetPagination


class CommentListView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "CommentPage"

    @extend_schema(
        operation_id="tasks_comments_list",
        parameters=[PageQuerySerializer],
        responses={200: CommentSerializer(many=True)},
        summary="A task's comments, oldest first",
    )
    def get(self, request: Request, task_id: int) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        comments = comment_list(user_id=self.user_id(request), task_id=task_id)
        rows = self.paginate(request, comments, ordering=COMMENT_ORDERING, query=query.validated_data)
        return self.paginated_response([comment_data(comment) for comment in rows])

    @extend_schema(
        request=CommentSerializer,
        responses={201: CommentSerializer, 403: FORBIDDEN, 409: QUOTA_EXCEEDED},
        summary="Comment on a task (editors and above)",
    )
    def post(self, request: Request, task_id: int) -> Response:
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_add(user_id=self.user_id(request), task_id=task_id, **serializer.validated_data)
        return Response(comment_data(comment), status=status.HTTP_201_CREATED)


class CommentDetailView(TaskAPIView):
    @extend_schema(
        request=CommentSerializer,
        responses={200: CommentSerializer, 403: FORBIDDEN},
        summary="Edit your comment",
    )
    def patch(self, request: Request, task_id: int, comment_id: int) -> Response:
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_edit(
            user_id=self.user_id(request), task_id=task_id, comment_id=comment_id, **serializer.validated_data
        )
        return Response(comment_data(comment))

    @extend_schema(
        responses={204: None, 403: FORBIDDEN},
        summary="Delete a comment (its author, or a project admin)",
    )
    def delete(self, request: Request, task_id: int, comment_id: int) -> Response:
        comment_delete(user_id=self.user_id(request), task_id=task_id, comment_id=comment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
