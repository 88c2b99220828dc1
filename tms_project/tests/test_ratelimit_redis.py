"""Rate-limit counters on Redis: exact counts, a lifetime past the window, refunds, and one round trip."""

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory

from tms_project.ratelimit import RateLimited, hit, refund


@pytest.fixture
def redis_cache(settings, redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    settings.RATELIMIT_ENABLE = True
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "tasks_write": "3/h"}
    yield redis.Redis.from_url(redis_url)
    caches["default"].close()


def test_the_limit_holds_exactly_and_the_key_outlives_its_window(redis_cache):
    request = RequestFactory().post("/api/tasks/")
    attempts = [hit(request, "tasks_write", value="user:1") for _ in range(3)]
    with pytest.raises(RateLimited):
        hit(request, "tasks_write", value="user:1")
    assert hit(request, "tasks_write", value="user:2") is not None  # someone else's counter
    [key] = [k for k in redis_cache.keys("*rl:tasks_write:*") if redis_cache.get(k) == b"4"]
    assert 60 < redis_cache.ttl(key) <= 3600 + 60
    refund(attempts[0])
    assert redis_cache.get(key) == b"3"


def test_one_round_trip_per_hit(redis_cache, monkeypatch):
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    request = RequestFactory().post("/api/tasks/")
    hit(request, "tasks_write", value="user:1")  # the connection is opened
    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    hit(request, "tasks_write", value="user:1")
    assert len(sent) == 1
