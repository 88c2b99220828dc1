"""What every /api/tasks/ view shares: stateless token authentication, the owner, the task."""

from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication

from accounts.tokens import TIME_ZONE_CLAIM
from tasks.models import Task
from tasks.selectors import task_get


class TaskAPIView(APIView):
    # The task service trusts the signed token alone: no user lookup, no call to auth.
    authentication_classes = [JWTStatelessUserAuthentication]

    def owner_id(self, request: Request) -> int:
        return int(request.user.id)

    def time_zone(self, request: Request) -> str:
        return request.auth.get(TIME_ZONE_CLAIM, "UTC")

    def get_task(self, request: Request, task_id: int) -> Task:
        return task_get(owner_id=self.owner_id(request), task_id=task_id)
