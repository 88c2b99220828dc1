"""Django's Redis and local-memory caches, counting each get as a hit, a miss or an error.

settings.py names these as the cache BACKEND. A stored None is a hit (Django's get cannot tell it
from a miss; this asks with a default of its own). Only get is counted: rate limits count with
INCR (tms_project.ratelimit), which is neither.

With TMS_REDIS_SENTINELS the client finds the master through Redis/Valkey Sentinel and follows a
failover (SentinelRedisCache; docs/reliability.md "Losing the counters' master").
"""

from typing import Any

from django.core.cache.backends import locmem
from django.core.cache.backends import redis as django_redis
from redis import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel, SentinelConnectionPool

from tms_project.metrics import CACHE_GETS

_ABSENT = object()
_HIT, _MISS, _ERROR = (CACHE_GETS.labels(result) for result in ("hit", "miss", "error"))


def _counted(value: Any, default: Any) -> Any:
    if value is _ABSENT:
        _MISS.inc()
        return default
    _HIT.inc()
    return value


class RedisCache(django_redis.RedisCache):
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


class SentinelCacheClient(django_redis.RedisCacheClient):
    """Django's Redis cache client whose one pool asks Sentinel where the master is.

    ``servers`` are the Sentinels (``host:port``), ``service_name`` the master's name in their
    configuration. Reads go to the master too: the rate-limit counters are read back by the
    INCR that writes them, and a replica's copy lags. redis-py's SentinelConnectionPool asks
    the Sentinels for the master before each new connection and drops idle connections to a
    master that is no longer theirs; a connection whose server answers READONLY (a demoted
    master) is closed and the command fails as a ConnectionError (redis.sentinel). Each
    command is tried once more on a fresh connection, so a kept connection to a master that is
    gone reaches the new one when the Sentinels already name it; otherwise the error reaches
    the caller (the limiter answers 503, tms_project.ratelimit) until they do.
    """

    def __init__(
        self,
        servers: list[str],
        *,
        service_name: str,
        sentinel_password: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(servers, **options)
        timeouts = {k: v for k, v in options.items() if k.startswith("socket_")}
        sentinels = []
        for server in servers:
            host, _, port = server.strip().rpartition(":")
            sentinels.append((host, int(port)))
        self._sentinel = Sentinel(sentinels, sentinel_kwargs={**timeouts, "password": sentinel_password})
        self._service_name = service_name
        self._master_options = {
            k: v for k, v in options.items() if k not in ("serializer", "pool_class", "parser_class")
        }
        self._master_pool: SentinelConnectionPool | None = None

    def _get_connection_pool(self, write: bool) -> ConnectionPool:
        # One pool, the master's, for reads and writes; made on first use, like Django's.
        if self._master_pool is None:
            self._master_pool = SentinelConnectionPool(
                self._service_name, self._sentinel, retry=Retry(NoBackoff(), 1), **self._master_options
            )
        return self._master_pool


class SentinelRedisCache(RedisCache):
    """The counted RedisCache above, its master found through Sentinel (settings
    TMS_REDIS_SENTINELS; LOCATION lists the Sentinels)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SentinelCacheClient


class UncountedSentinelRedisCache(django_redis.RedisCache):
    """Django's RedisCache through Sentinel, without the metrics (TMS_DB_METRICS=false)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SentinelCacheClient
