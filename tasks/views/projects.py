"""/api/tasks/projects/: projects, their members, their trash."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import access
from tasks.orderings import MEMBER_ORDERING, PROJECT_ORDERING, PROJECT_TRASH_ORDERING
from tasks.serializers import (
    InviteSentSerializer,
    MemberAddSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    PageQuerySerializer,
    ProjectListQuerySerializer,
    ProjectSerializer,
    TrashedProjectSerializer,
    member_data,
    project_data,
)
from tasks.services import members as member_services
from tasks.services.projects import (
    project_create,
    project_restore,
    project_trash,
    project_update,
    trashed_projects,
)
from tasks.views.base import TaskAPIView
from tms_project.api.pagination import KeysetPagination
from tms_project.ratelimit import hit

FORBIDDEN = OpenApiResponse(
    description="Your role in the project does not allow this (code permission_denied)"
)
NAME_TAKEN = OpenApiResponse(
    description="The owner already has a project of this name, the trash included (code name_taken)"
)


class ProjectListView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "ProjectPage"

    @extend_schema(
        operation_id="projects_list",
        parameters=[ProjectListQuerySerializer],
        responses={200: ProjectSerializer(many=True)},
        summary="Your projects (those you own and those shared with you)",
    )
    def get(self, request: Request) -> Response:
        query = ProjectListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        memberships = access.memberships(self.user_id(request)).select_related("project__owner")
        if query.validated_data.get("archived") is not None:
            memberships = memberships.filter(project__archived=query.validated_data["archived"])
        rows = self.paginate(request, memberships, ordering=PROJECT_ORDERING, query=query.validated_data)
        return self.paginated_response([project_data(row.project, row.role) for row in rows])

    @extend_schema(
        request=ProjectSerializer,
        responses={
            201: ProjectSerializer,
            409: OpenApiResponse(
                description="A quota of your account would be exceeded (quota_exceeded), or you already have "
                "a project of this name, the trash included (name_taken); nothing was written"
            ),
        },
        summary="Create a project (you are its owner)",
    )
    def post(self, request: Request) -> Response:
        serializer = ProjectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = project_create(user_id=self.user_id(request), **serializer.validated_data)
        return Response(project_data(project, access.OWNER), status=status.HTTP_201_CREATED)


class ProjectDetailView(TaskAPIView):
    @extend_schema(responses={200: ProjectSerializer}, summary="A project")
    def get(self, request: Request, project_id: int) -> Response:
        project, role = access.project_for(self.user_id(request), project_id)
        return Response(project_data(project, role))

    @extend_schema(
        request=ProjectSerializer,
        responses={200: ProjectSerializer, 403: FORBIDDEN, 409: NAME_TAKEN},
        summary="Rename, describe, recolour or (un)archive (admins and the owner)",
    )
    def patch(self, request: Request, project_id: int) -> Response:
        serializer = ProjectSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        project, role = project_update(
            user_id=self.user_id(request), project_id=project_id, data=dict(serializer.validated_data)
        )
        return Response(project_data(project, role))

    @extend_schema(
        responses={204: None, 403: FORBIDDEN},
        summary="Move the project and its tasks to the trash (the owner only)",
    )
    def delete(self, request: Request, project_id: int) -> Response:
        project_trash(user_id=self.user_id(request), project_id=project_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectTrashView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "ProjectTrashPage"

    @extend_schema(
        operation_id="projects_trash_list",
        parameters=[PageQuerySerializer],
        responses={200: TrashedProjectSerializer(many=True)},
        summary="Your projects in the trash",
    )
    def get(self, request: Request) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        projects = trashed_projects(user_id=self.user_id(request))
        rows = self.paginate(request, projects, ordering=PROJECT_TRASH_ORDERING, query=query.validated_data)
        return self.paginated_response([project_data(project, access.OWNER) for project in rows])


class ProjectRestoreView(TaskAPIView):
    @extend_schema(
        request=None,
        responses={200: ProjectSerializer},
        summary="Take a project and its tasks out of the trash",
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_restore(user_id=self.user_id(request), project_id=project_id)
        return Response(project_data(project, access.OWNER))


class MemberListView(TaskAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "MemberPage"

    @extend_schema(
        operation_id="projects_members_list",
        parameters=[PageQuerySerializer],
        responses={200: MemberSerializer(many=True)},
        summary="The project's members and their roles",
    )
    def get(self, request: Request, project_id: int) -> Response:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        members = member_services.member_list(user_id=self.user_id(request), project_id=project_id)
        rows = self.paginate(request, members, ordering=MEMBER_ORDERING, query=query.validated_data)
        return self.paginated_response([member_data(member) for member in rows])

    @extend_schema(
        request=MemberAddSerializer,
        responses={
            201: MemberSerializer,
            202: InviteSentSerializer,
            403: FORBIDDEN,
            409: OpenApiResponse(description="Already a member (already_member), or the project is full"),
        },
        summary="Add a member by username (201) or e-mail address (202, the same answer for any address)",
    )
    def post(self, request: Request, project_id: int) -> Response:
        serializer = MemberAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_id = self.user_id(request)
        hit(request, "project_invite", value=f"user:{user_id}")
        member = member_services.member_add(
            user_id=user_id,
            project_id=project_id,
            name=serializer.validated_data["user"].strip(),
            role=serializer.validated_data["role"],
        )
        if member is None:
            return Response({"detail": member_services.EMAIL_INVITE_DETAIL}, status=status.HTTP_202_ACCEPTED)
        return Response(member_data(member), status=status.HTTP_201_CREATED)


class MemberDetailView(TaskAPIView):
    @extend_schema(
        request=MemberRoleSerializer,
        responses={200: MemberSerializer, 403: FORBIDDEN},
        summary="Change a member's role (admins and the owner)",
    )
    def patch(self, request: Request, project_id: int, user_id: int) -> Response:
        serializer = MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_services.member_change_role(
            user_id=self.user_id(request),
            project_id=project_id,
            member_id=user_id,
            role=serializer.validated_data["role"],
        )
        return Response(member_data(member))

    @extend_schema(
        responses={204: None, 403: FORBIDDEN},
        summary="Remove a member (admins and the owner), or leave the project (your own id)",
    )
    def delete(self, request: Request, project_id: int, user_id: int) -> Response:
        member_services.member_remove(user_id=self.user_id(request), project_id=project_id, member_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
