"""The cache settings.py gives Django: shared by every process wherever limits must hold.

Several processes (gunicorn workers, auth and task pods) must share one cache for rate limits to
hold, so production requires Redis/Valkey for every role: REDIS_URL, or with Sentinel
(production) TMS_REDIS_SENTINELS, whose master is asked of the Sentinels and followed through a
failover (tms_project.cache.SentinelRedisCache; docs/reliability.md "Losing the counters'
master"). Without either, outside production, each process keeps its own in memory. With
``metrics`` the backends count hits and misses of get (tms_project.cache).
"""

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tms_project.env import env_int, env_list, env_str


def caches(*, production: bool, metrics: bool) -> dict[str, dict[str, Any]]:
    sentinels = env_list("TMS_REDIS_SENTINELS")  # host:port,host:port,host:port
    redis_url = env_str("REDIS_URL")
    if sentinels:
        for sentinel in sentinels:
            if not re.fullmatch(r"[^\s:]+:\d+", sentinel):
                raise ImproperlyConfigured(f"TMS_REDIS_SENTINELS: {sentinel!r} is not host:port.")
        backend = "SentinelRedisCache" if metrics else "UncountedSentinelRedisCache"
        return {
            "default": {
                "BACKEND": f"tms_project.cache.{backend}",
                "LOCATION": sentinels,
                "KEY_PREFIX": "tms",
                "OPTIONS": {
                    "service_name": env_str("TMS_REDIS_SENTINEL_MASTER", "tms"),
                    "db": env_int("TMS_REDIS_DB", 0, minimum=0),
                    "password": env_str("TMS_REDIS_PASSWORD"),
                    "sentinel_password": env_str("TMS_REDIS_SENTINEL_PASSWORD"),
                    # Short: a dead master or Sentinel costs a request at most this, then a 503.
                    "socket_connect_timeout": 1,
                    "socket_timeout": 2,
                },
            }
        }
    if redis_url:
        return {
            "default": {
                "BACKEND": "tms_project.cache.RedisCache"
                if metrics
                else "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "tms",
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
        }
    if production:
        raise ImproperlyConfigured(
            "REDIS_URL is not set (nor TMS_REDIS_SENTINELS). Production shares one cache between "
            "processes, e.g. redis://redis-service:6379/0."
        )
    return {
        "default": {
            "BACKEND": "tms_project.cache.LocMemCache"
            if metrics
            else "django.core.cache.backends.locmem.LocMemCache"
        }
    }
