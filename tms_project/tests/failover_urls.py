"""Views that write and then meet a database fault the test chose (tms_project.tests.test_db_failover)."""

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tms_project.tests.error_urls import urlpatterns as error_urlpatterns

attempts: list[str] = []
# The fault of the next requests: called with each statement's SQL inside the view; raises or not.
fault: list[Callable[[str], None]] = []


def _injecting(execute, sql, params, many, context):
    for inject in fault:
        inject(sql)
    return execute(sql, params, many, context)


class WriteView(APIView):
    """Creates the group named in the body in one transaction (``?before=1``: after an autocommitted
    one first, ``?purge=1``: after a transaction that deletes nothing, ``?outside=1``: in autocommit)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def post(self, request):
        attempts.append(request.data["name"])
        with connection.execute_wrapper(_injecting):
            if request.query_params.get("purge"):
                with transaction.atomic():
                    Group.objects.filter(name="nothing-to-purge").delete()
            if request.query_params.get("before"):
                Group.objects.create(name=request.data["name"] + "-before")
            if request.query_params.get("outside"):
                group = Group.objects.create(name=request.data["name"])
            else:
                with transaction.atomic():
                    group = Group.objects.create(name=request.data["name"])
                    Group.objects.filter(pk=group.pk).update(name=request.data["name"])
        return Response({"id": group.pk}, status=201)


def plain_view(request: HttpRequest) -> JsonResponse:
    """A Django view, not DRF's: its outage reaches the middleware as an exception."""
    attempts.append("plain")
    raise OperationalError(1047, "WSREP has not yet prepared node for application use")


urlpatterns = [
    path("api/failover/write/", WriteView.as_view()),
    path("api/failover/plain/", plain_view),
    *error_urlpatterns,
]

handler500 = "tms_project.middleware.api_errors.server_error"
