"""/api/tasks/export/ (streamed CSV or JSON) and /api/tasks/import/ (the JSON export)."""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.selectors import owned_tasks
from tasks.serializers import ExportQuerySerializer, ImportResultSerializer, ImportSerializer
from tasks.services.quotas import ensure_task_room
from tasks.services.transfer import export_csv, export_json, tasks_import
from tasks.views.base import QUOTA_EXCEEDED, TaskAPIView


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsAParameter(DefaultContentNegotiation):
    """``?format=csv`` chooses the export's file type here, not a DRF renderer."""

    # DRF reads only URL_FORMAT_OVERRIDE from it, and documents None as "no override"; the stubs
    # type this attribute as the whole of api_settings, with a str there.
    settings = _NoFormatOverride  # type: ignore[assignment]


class ExportView(TaskAPIView):
    content_negotiation_class = FormatIsAParameter
    rate_limits = {"GET": "tasks_export"}

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(ImportSerializer, description="The JSON export file"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV export file"),
        },
        summary="Download every task",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data["format"]
        tasks = owned_tasks(owner_id=self.user_id(request))
        stream, content_type = (
            (export_csv(tasks), "text/csv; charset=utf-8")
            if kind == "csv"
            else (export_json(tasks), "application/json")
        )
        response = StreamingHttpResponse(stream, content_type=content_type)
        filename = f"tms-tasks-{timezone.now():%Y%m%d-%H%M%S}.{kind}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportView(TaskAPIView):
    rate_limits = {"POST": "tasks_import"}

    @extend_schema(
        request=ImportSerializer,
        responses={201: ImportResultSerializer, 409: QUOTA_EXCEEDED},
        summary="Import an export",
    )
    def post(self, request: Request) -> Response:
        # A full account is told so before its body is parsed (up to 10 MiB, 5,000 rows);
        # tasks_import checks the exact numbers again under the owner's lock.
        ensure_task_room(owner_id=self.user_id(request), adding=1)
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rows = serializer.validated_data["tasks"]
        created, labels_created = tasks_import(
            owner_id=self.user_id(request), actor_id=self.actor_id(request), rows=rows
        )
        return Response(
            {"imported": len(created), "labels_created": labels_created}, status=status.HTTP_201_CREATED
        )
