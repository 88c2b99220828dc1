"""Rate limits: fixed windows counted in the shared cache (Redis) with atomic increments.

Limits are named in settings.TMS_RATE_LIMITS. ``hit`` counts one attempt and
raises ``RateLimited`` once the window's budget is spent; views call it before
any expensive work such as hashing a password. Counting comes first, so
attempts racing on several workers or pods cannot all slip under the limit.

A budget keyed by the client address alone (``value`` left out) counts everyone behind
one NAT address — an office, a school — so such budgets are ceilings sized for that
crowd; the tight ones are keyed by account, session or device (docs/security.md
"Rate limits").

Every counter of a limit shares the same windows (they start at multiples of
the period), so when a refusal says to try again tells nothing about whose
counter refused — in particular not whether an account exists.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework.exceptions import APIException, Throttled

from tms_project.client_ip import client_ip
from tms_project.metrics import RATE_LIMITED

logger = logging.getLogger("tms.ratelimit")

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Throttled):
    default_detail = "Too many attempts."

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        # The wait said once: Throttled's own __init__ would append "Expected available in N seconds."
        APIException.__init__(self, detail=f"Too many attempts. Try again in {self.retry_after} seconds.")
        self.wait = self.retry_after


class LimiterUnavailable(APIException):
    """The counters cannot be reached: 503 with Retry-After (DRF sends ``wait`` as the header).

    A Sentinel failover of the counters' master takes a few seconds (docs/reliability.md
    "Losing the counters' master"); a client waiting this long then finds the new master.
    """

    status_code = 503
    default_code = "service_unavailable"
    default_detail = "The service is temporarily unavailable; try again shortly."
    wait = 2


@dataclass(frozen=True)
class Attempt:
    """One counted attempt: the counter it went to, so it can be given back."""

    name: str
    key: str


def _window(rate: str) -> tuple[int, int]:
    """The limit of ``rate`` (``20/5m``) and when the current window ends (epoch seconds)."""
    match = _RATE.match(rate)
    if match is None:  # settings.env_rate validated every configured rate at start-up
        raise ValueError(f"not a rate: {rate!r}")
    count, multiplier, unit = match.groups()
    period = int(multiplier or 1) * _UNIT_SECONDS[unit]
    now = int(time.time())
    return int(count), now - now % period + period


def _count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (made, at 0, for ``timeout`` seconds if absent); its new value.

    On Redis one round trip (SET NX EX, then INCR, pipelined) instead of the three Django's add
    and incr take (SET NX, EXISTS, INCR): a tenth of a write's time went to them
    (docs/performance.md). The keys are the cache's own, as ``refund`` reads them.
    """
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
    full_key = backend.make_and_validate_key(key)
    # RedisCache._cache: Django's client of the configured servers (the same connections it uses).
    client = backend._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
    pipeline = client.pipeline(transaction=False)
    pipeline.set(full_key, 0, ex=timeout, nx=True)
    pipeline.incr(full_key)
    return int(pipeline.execute()[1])


def hit(request: HttpRequest, name: str, value: str | None = None) -> Attempt | None:
    """Count an attempt keyed by ``value`` (default: the client IP); raise when over the limit."""
    if not settings.RATELIMIT_ENABLE:
        return None
    limit, window_end = _window(settings.TMS_RATE_LIMITS[name])
    # Keys are hashed so account names never sit in the cache in clear.
    digest = hashlib.sha256((value or client_ip(request)).encode()).hexdigest()
    key = f"rl:{name}:{window_end}:{digest}"
    try:
        # The key outlives its window, so it never expires between being made and counted.
        count = _count(key, timeout=window_end - int(time.time()) + 60)
    except Exception as exc:  # any cache failure: fail closed, never open
        logger.error("rate limit store unavailable", extra={"limit": name, "error": type(exc).__name__})
        raise LimiterUnavailable from exc
    if count > limit:
        logger.warning("rate limited", extra={"limit": name})
        RATE_LIMITED.labels(name).inc()
        raise RateLimited(window_end - int(time.time()))
    return Attempt(name=name, key=key)


def refund(attempt: Attempt | None) -> None:
    """Give back an attempt that turned out not to count, such as a successful sign-in."""
    if attempt is None:
        return
    try:
        cache.decr(attempt.key)
    except ValueError:  # its window is over: nothing to give back
        pass
    except Exception as exc:  # noqa: BLE001 - the attempt stays counted, which is the safe side
        logger.error(
            "rate limit store unavailable", extra={"limit": attempt.name, "error": type(exc).__name__}
        )
