"""A URLconf for exercising the API error machinery: the real routes plus one probe view."""

from django.db import OperationalError
from django.urls import path
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tms_project.urls.all import urlpatterns as real_urlpatterns

calls: list[dict] = []


class EchoSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=5)


class EchoView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom: password=hunter2 secret-token")

    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        calls.append(serializer.validated_data)
        return Response(serializer.validated_data, status=status.HTTP_201_CREATED)


class DatabaseDownView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise OperationalError(2003, "Can't connect to MySQL server on 'mysql-service:3306' (111)")


urlpatterns = [
    path("api/echo/", EchoView.as_view()),
    path("api/database-down/", DatabaseDownView.as_view()),
    *real_urlpatterns,
]

handler500 = "tms_project.middleware.api_errors.server_error"
