"""/api/tasks/webhooks/: a person's webhook endpoints, their deliveries, a test event, redelivery."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.views.base import QUOTA_EXCEEDED, TaskAPIView
from tasks.webhooks import services
from tasks.webhooks.serializers import (
    DeliveryQuerySerializer,
    DeliverySerializer,
    WebhookCreatedSerializer,
    WebhookCreateSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    delivery_data,
    webhook_data,
)
from tms_project.api.pagination import Key, KeysetPagination, Ordering

# Newest first: the primary key follows creation, and (webhook, id) is an index.
DELIVERY_ORDERING = Ordering("webhook_deliveries", (Key("id", descending=True),))
WRITE = "webhooks_write"
TURNED_OFF = OpenApiResponse(description="The webhook is turned off (code webhook_disabled)")


class WebhookAPIView(TaskAPIView):
    # A personal access token needs this scope (accounts.personal_tokens reads the second name).
    required_scope = personal_token_scope = "webhooks:manage"  # noqa: S105 - a scope's name
    rate_limits = {"POST": WRITE, "PATCH": WRITE, "DELETE": WRITE}


class WebhookListView(WebhookAPIView):
    @extend_schema(responses={200: WebhookSerializer(many=True)}, summary="Your webhooks (at most 10)")
    def get(self, request: Request) -> Response:
        rows = services.webhook_list(user_id=self.user_id(request))
        return Response([webhook_data(webhook) for webhook in rows])

    @extend_schema(
        request=WebhookCreateSerializer,
        responses={201: WebhookCreatedSerializer, 409: QUOTA_EXCEEDED},
        summary="Register a webhook; the answer holds its signing secret, shown only this once",
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_create(user_id=self.user_id(request), **serializer.validated_data)
        return Response({**webhook_data(webhook), "secret": webhook.secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(WebhookAPIView):
    @extend_schema(responses={200: WebhookSerializer}, summary="One of your webhooks")
    def get(self, request: Request, webhook_id: int) -> Response:
        webhook = services.webhook_get(user_id=self.user_id(request), webhook_id=webhook_id)
        return Response(webhook_data(webhook))

    @extend_schema(
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer},
        summary="Change a webhook (is_active: true turns it on again)",
    )
    def patch(self, request: Request, webhook_id: int) -> Response:
        serializer = WebhookUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = services.webhook_update(
            user_id=self.user_id(request), webhook_id=webhook_id, data=dict(serializer.validated_data)
        )
        return Response(webhook_data(webhook))

    @extend_schema(responses={204: None}, summary="Delete a webhook and its deliveries")
    def delete(self, request: Request, webhook_id: int) -> Response:
        services.webhook_delete(user_id=self.user_id(request), webhook_id=webhook_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookPingView(WebhookAPIView):
    @extend_schema(
        request=None,
        responses={202: DeliverySerializer, 409: TURNED_OFF},
        summary="Queue a test event (webhook.ping) to this webhook",
    )
    def post(self, request: Request, webhook_id: int) -> Response:
        delivery = services.webhook_ping(user_id=self.user_id(request), webhook_id=webhook_id)
        return Response(delivery_data(delivery), status=status.HTTP_202_ACCEPTED)


class DeliveryListView(WebhookAPIView):
    pagination_class = KeysetPagination
    page_schema_name = "WebhookDeliveryPage"

    @extend_schema(
        parameters=[DeliveryQuerySerializer],
        responses={200: DeliverySerializer(many=True)},
        summary="The webhook's deliveries, newest first",
    )
    def get(self, request: Request, webhook_id: int) -> Response:
        query = DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = services.deliveries_of(user_id=self.user_id(request), webhook_id=webhook_id)
        page = self.paginate(request, rows, ordering=DELIVERY_ORDERING, query=query.validated_data)
        return self.paginated_response([delivery_data(delivery) for delivery in page])


class RedeliverView(WebhookAPIView):
    @extend_schema(
        request=None,
        responses={202: DeliverySerializer, 409: TURNED_OFF},
        summary="Send a delivery again now (same webhook-id)",
    )
    def post(self, request: Request, webhook_id: int, delivery_id: int) -> Response:
        delivery = services.redeliver(
            user_id=self.user_id(request), webhook_id=webhook_id, delivery_id=delivery_id
        )
        return Response(delivery_data(delivery), status=status.HTTP_202_ACCEPTED)
