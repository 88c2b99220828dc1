"""/api/tasks/calendar-feed/ (make, look at, revoke one's feed) and the feed itself,
/api/tasks/calendar/<token>.ics, which calendar applications fetch without a session.

The feed is a plain Django view, not a DRF one: it takes no bearer token (the token in the path
is the credential), answers text/calendar whatever the client's Accept says, and its errors are
written here in the API's one JSON shape.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.calendar import tokens
from tasks.calendar.feeds import feed_create, feed_for_token, feed_of, feed_revoke, feed_touch
from tasks.calendar.ics import feed_calendar
from tasks.views.base import TaskAPIView
from tms_project.api.errors import error_response
from tms_project.ratelimit import LimiterUnavailable, RateLimited, hit

logger = logging.getLogger("tms.calendar")

# settings.TMS_RATE_LIMITS: fetches per feed, and per client address (which also bounds guessing).
FEED_LIMIT = "calendar_feed"
FEED_IP_LIMIT = "calendar_feed_ip"


class NewFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The feed's address; shown only in this answer")
    created_at = serializers.DateTimeField()


class FeedStateSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class CalendarFeedView(TaskAPIView):
    personal_tokens_allowed = False  # the feed's address is a credential: a signed-in person makes it

    @extend_schema(responses={200: FeedStateSerializer}, summary="Your calendar feed")
    def get(self, request: Request) -> Response:
        feed = feed_of(self.user_id(request))
        state = {
            "active": feed is not None,
            "created_at": feed.created_at if feed else None,
            "last_used_at": feed.last_used_at if feed else None,
        }
        return Response(FeedStateSerializer(state).data)

    @extend_schema(
        request=None,
        responses={201: NewFeedSerializer},
        summary="Make a calendar feed (replacing the one before)",
    )
    def post(self, request: Request) -> Response:
        feed = feed_create(user_id=self.user_id(request))
        data = NewFeedSerializer({"url": feed.url, "created_at": feed.created_at}).data
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"  # the answer holds the token
        return response

    @extend_schema(request=None, responses={204: None}, summary="Revoke your calendar feed")
    def delete(self, request: Request) -> Response:
        feed_revoke(user_id=self.user_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _limited(request: HttpRequest, token: str) -> JsonResponse | None:
    """Count the fetch per client address, then per feed; the refusal, or None to go on."""
    try:
        hit(request, FEED_IP_LIMIT)
        if tokens.looks_like_token(token):
            # hit() hashes the value again before it becomes a cache key.
            hit(request, FEED_LIMIT, value=f"feed:{tokens.token_hash(token)}")
    except RateLimited as exc:
        response = error_response(429, code="throttled", message=str(exc.detail))
        response["Retry-After"] = str(exc.retry_after)
        return response
    except LimiterUnavailable as exc:
        response = error_response(503, code="service_unavailable", message=str(exc.detail))
        response["Retry-After"] = str(exc.wait)
        return response
    return None


@require_safe
def calendar_file(request: HttpRequest, token: str) -> HttpResponse:
    refused = _limited(request, token)
    if refused is not None:
        return refused
    try:
        feed = feed_for_token(token)
        if feed is None:
            return error_response(404, message="No calendar feed has this address; make a new one in TMS.")
        feed_touch(feed)
        body = feed_calendar(feed.user_id)
    except (OperationalError, InterfaceError) as exc:
        # As the API answers it: retryable. Logged here, without the path, which holds the token.
        logger.error("database unavailable", exc_info=exc)
        unavailable = error_response(
            503, message="The service is temporarily unavailable; try again shortly."
        )
        unavailable["Retry-After"] = "5"
        return unavailable
    except Exception as exc:  # Django's own error log would write the path, which is the token
        logger.error("calendar feed failed", exc_info=exc)
        return error_response(500, message="An unexpected error occurred.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tms-tasks.ics"'
    # Per person and secret: no shared cache keeps it, and a revoked feed is gone at the next fetch.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
