"""Rate limits over django-ratelimit's counters (shared cache, atomic increments).

Limits are named in settings.TMS_RATE_LIMITS. ``hit`` counts one attempt and
raises ``RateLimited`` once the window's budget is spent; views check limits
before any expensive work such as hashing a password.
"""

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from rest_framework.exceptions import APIException, Throttled

from tms_project.client_ip import client_ip
from tms_project.metrics import RATE_LIMITED

logger = logging.getLogger("tms.ratelimit")


class RateLimited(Throttled):
    default_detail = "Too many attempts."

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            wait=self.retry_after, detail=f"Too many attempts. Try again in {self.retry_after} seconds."
        )


class LimiterUnavailable(APIException):
    status_code = 503
    default_code = "service_unavailable"
    default_detail = "The service is temporarily unavailable; try again shortly."


def _usage(request: HttpRequest, name: str, value: str, increment: bool) -> dict | None:
    rate = settings.TMS_RATE_LIMITS[name]
    # Keys are hashed so account names never sit in the cache in clear.
    key = hashlib.sha256(value.encode()).hexdigest()
    try:
        return get_usage(request, group=f"tms.{name}", key=lambda _g, _r: key, rate=rate, increment=increment)
    except Exception as exc:  # noqa: BLE001 - any cache failure; fail closed, never open
        logger.error("rate limit store unavailable", extra={"limit": name, "error": type(exc).__name__})
        raise LimiterUnavailable() from exc


def _raise_if_limited(usage: dict | None, name: str, *, spent_at_limit: bool = False) -> None:
    if usage is None:
        return
    over = usage["count"] >= usage["limit"] if spent_at_limit else usage["should_limit"]
    if over:
        logger.warning("rate limited", extra={"limit": name})
        RATE_LIMITED.labels(name).inc()
        raise RateLimited(usage["time_left"])


def hit(request: HttpRequest, name: str, value: str | None = None) -> None:
    """Count an attempt keyed by ``value`` (default: the client IP); raise when over the limit."""
    _raise_if_limited(_usage(request, name, value or client_ip(request), increment=True), name)


def check(request: HttpRequest, name: str, value: str) -> None:
    """Raise when ``value`` has used up its budget, without counting an attempt."""
    _raise_if_limited(_usage(request, name, value, increment=False), name, spent_at_limit=True)


def count_failure(request: HttpRequest, name: str, value: str) -> None:
    """Count a failed attempt that ``check`` will see next time."""
    _usage(request, name, value, increment=True)
