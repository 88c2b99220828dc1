"""Django's Redis and local-memory caches, counting each get as a hit, a miss or an error.

settings.py names these as the cache BACKEND. A stored None is a hit (Django's get cannot tell it
from a miss; this asks with a default of its own). Only get is counted: rate limits count with
INCR (tms_project.ratelimit), which is neither.
"""

from typing import Any

from django.core.cache.backends import locmem, redis

from tms_project.metrics import CACHE_GETS

_ABSENT = object()
_HIT, _MISS, _ERROR = (CACHE_GETS.labels(result) for result in ("hit", "miss", "error"))


def _counted(value: Any, default: Any) -> Any:
    if value is _ABSENT:
        _MISS.inc()
        return default
    _HIT.inc()
    return value


class RedisCache(redis.RedisCache):
    """Django's RedisCache (tms_project.ratelimit still recognises it as one)."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            value = super().get(key, _ABSENT, version)
        except Exception:  # Redis/Valkey unreachable or timing out: the caller sees it as before
            _ERROR.inc()
            raise
        return _counted(value, default)


class LocMemCache(locmem.LocMemCache):
    """Django's LocMemCache (development and tests)."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _counted(super().get(key, _ABSENT, version), default)
