"""/api/tasks/labels/: the user's labels."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.orderings import LABEL_ORDERING
from tasks.selectors import label_get, label_list
from tasks.serializers import LabelSerializer, PageQuerySerializer
from tasks.services.labels import label_create, label_delete, label_update
from tasks.views.base import QUOTA_EXCEEDED, TaskAPIView
from tms_project.api.pagination import KeysetPagination


class LabelListView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "LabelPage"

    @extend_schema(
        operation_id="labels_list",
        parameters=[PageQuerySerializer],
        responses={200: LabelSerializer(many=True)},
        summary="Your labels",
    )
    def get(self, request: Request) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        labels = label_list(owner_id=self.user_id(request))
        rows = self.paginate(request, labels, ordering=LABEL_ORDERING, query=query.validated_data)
        return self.paginated_response(LabelSerializer(rows, many=True).data)

    @extend_schema(
        request=LabelSerializer,
        responses={201: LabelSerializer, 409: QUOTA_EXCEEDED},
        summary="Create a label",
    )
    def post(self, request: Request) -> Response:
        serializer = LabelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        label = label_create(owner_id=self.user_id(request), **serializer.validated_data)
        return Response(LabelSerializer(label).data, status=status.HTTP_201_CREATED)


class LabelDetailView(TaskAPIView):
    @extend_schema(responses={200: LabelSerializer}, summary="A label")
    def get(self, request: Request, label_id: int) -> Response:
        return Response(LabelSerializer(label_get(owner_id=self.user_id(request), label_id=label_id)).data)

    @extend_schema(
        request=LabelSerializer, responses={200: LabelSerializer}, summary="Rename or recolour a label"
    )
    def patch(self, request: Request, label_id: int) -> Response:
        serializer = LabelSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        label = label_update(
            owner_id=self.user_id(request), label_id=label_id, data=dict(serializer.validated_data)
        )
        return Response(LabelSerializer(label).data)

    @extend_schema(responses={204: None}, summary="Delete a label (tasks keep existing without it)")
    def delete(self, request: Request, label_id: int) -> Response:
        label_delete(owner_id=self.user_id(request), label_id=label_id, actor_id=self.actor_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
