"""/api/tasks/export/ (streamed CSV, or JSON in importable parts) and /api/tasks/import/ (one part).

A large account's JSON export comes in parts (tasks.services.transfer), each downloaded and imported
with its own request. The export and import budgets count whole exports and imports: a request
spends its budget before anything else, as every counted request does, and a later part of an export
already under way — a valid ``cursor``, an import continuing the part before — gives it back.
"""

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from tasks.services.quotas import ensure_task_room
from tasks.services.transfer import ExportPart, export_csv, export_json, part_from_cursor
from tasks.services.transfer_import import tasks_import
from tasks.transfer_serializers import (
    ExportFileSerializer,
    ExportQuerySerializer,
    ImportResultSerializer,
    ImportSerializer,
)
from tasks.views.base import TaskAPIView
from tms_project.ratelimit import Attempt, hit, refund

IMPORT_CONFLICT = OpenApiResponse(
    description="Nothing was written: a quota of your account would be exceeded (code quota_exceeded),"
    " this part of this export is already in your account (already_imported), or a project of the file"
    " has the name of one in your trash (project_in_trash)"
)


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsAParameter(DefaultContentNegotiation):
    """``?format=csv`` chooses the export's file type here, not a DRF renderer."""

    # DRF reads only URL_FORMAT_OVERRIDE from it, and documents None as "no override"; the stubs
    # type this attribute as the whole of api_settings, with a str there.
    settings = _NoFormatOverride  # type: ignore[assignment]


class _TransferView(TaskAPIView):
    """Spends ``budget`` for every request, keeping the attempt so that a later part can give it back."""

    budget: str
    attempt: Attempt | None = None

    def check_throttles(self, request: Request) -> None:
        super().check_throttles(request)  # the write budget, for a POST
        self.attempt = hit(request, self.budget, value=f"user:{self.user_id(request)}")


class ExportView(_TransferView):
    content_negotiation_class = FormatIsAParameter
    conditional_gets = False  # streamed: no body to hash before it is sent
    budget = "tasks_export"

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(
                ExportFileSerializer,
                description="One part of the JSON export (at most 5,000 tasks and TMS_MAX_IMPORT_BYTES);"
                " `next` is the following part, null on the last",
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV export: one file"),
        },
        summary="Download your projects and tasks",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind, owner_id = query.validated_data["format"], self.user_id(request)
        if kind == "csv":
            stream, content_type = export_csv(owner_id=owner_id), "text/csv; charset=utf-8"
            name = f"tms-tasks-{timezone.now():%Y%m%d-%H%M%S}.csv"
        else:
            cursor = query.validated_data.get("cursor")
            part = part_from_cursor(owner_id, cursor) if cursor else ExportPart.first()
            if cursor:
                refund(self.attempt)  # a part of an export whose first part was counted

            def next_url(token: str) -> str:
                url = replace_query_param(request.build_absolute_uri(), "format", "json")
                return replace_query_param(url, "cursor", token)

            stream = export_json(owner_id=owner_id, part=part, next_url=next_url)
            content_type = "application/json"
            name = f"tms-tasks-{part.export}" + (f"-part-{part.number}" if part.number > 1 else "") + ".json"
        response = StreamingHttpResponse(stream, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportView(_TransferView):
    budget = "tasks_import"

    @extend_schema(
        request=ImportSerializer,
        responses={201: ImportResultSerializer, 409: IMPORT_CONFLICT},
        summary="Import one part of an export",
    )
    def post(self, request: Request) -> Response:
        # A full account is told so before its body is parsed (up to 10 MiB, 5,000 rows);
        # tasks_import checks the exact numbers again under the owner's lock.
        ensure_task_room(owner_id=self.user_id(request), adding=1)
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = tasks_import(
            owner_id=self.user_id(request),
            actor_id=self.actor_id(request),
            document=serializer.validated_data,
        )
        if result.continues_export:
            refund(self.attempt)  # the export's first part was the counted import
        body = {
            "imported": len(result.tasks),
            "labels_created": result.labels_created,
            "projects_created": result.projects_created,
        }
        return Response(body, status=status.HTTP_201_CREATED)
