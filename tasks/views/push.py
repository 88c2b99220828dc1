"""/api/tasks/push/: the VAPID key browsers subscribe with, and this person's subscriptions."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.notifications import inbox
from tasks.notifications.serializers import (
    PushInfoSerializer,
    PushSavedSerializer,
    PushSubscriptionSerializer,
    PushUnsubscribeSerializer,
)
from tasks.views.base import QUOTA_EXCEEDED, TaskAPIView

NO_SUBSCRIPTION = OpenApiResponse(description="You have no subscription with this endpoint (code not_found)")


class PushInfoView(TaskAPIView):
    @extend_schema(responses={200: PushInfoSerializer}, summary="Whether Web Push is on, and its public key")
    def get(self, request: Request) -> Response:
        key = inbox.push_public_key()
        return Response({"enabled": key is not None, "public_key": key})


class PushSubscriptionsView(TaskAPIView):
    personal_tokens_allowed = False  # a browser's own subscription: a signed-in browser makes it

    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={201: PushSavedSerializer, 409: QUOTA_EXCEEDED},
        summary="Save this browser's push subscription (https, public endpoints; 10 per account)",
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inbox.subscribe(
            self.user_id(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response({"endpoint": data["endpoint"]}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PushUnsubscribeSerializer,
        responses={
            204: None,
            404: OpenApiResponse(description="You have no subscription with this endpoint"),
        },
        summary="Remove this browser's push subscription",
    )
    def delete(self, request: Request) -> Response:
        serializer = PushUnsubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inbox.unsubscribe(self.user_id(request), serializer.validated_data["endpoint"])
        return Response(status=status.HTTP_204_NO_CONTENT)
