"""Reach the external services some tests need (Redis, MySQL/MariaDB).

A test that needs a service the machine lacks is skipped with the reason; with
TMS_REQUIRE_SERVICES=1 (CI) it fails instead, so nothing silently goes untested.
"""

import os
import socket
from typing import NoReturn
from urllib.parse import urlparse

import pytest

REDIS_URL = os.environ.get("TMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


_DEFAULT_PORTS = {"mysql": 3306, "redis": 6379}


def services_required() -> bool:
    return os.environ.get("TMS_REQUIRE_SERVICES") == "1"


def reachable(url: str, timeout: float = 2.0) -> bool:
    parsed = urlparse(url)
    port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme)
    if port is None:
        return False
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it under TMS_REQUIRE_SERVICES=1."""
    if services_required():
        pytest.fail(f"{reason}, and TMS_REQUIRE_SERVICES=1 makes it required")
    pytest.skip(reason)


def require(url: str, what: str) -> str:
    """Return ``url`` when it answers; otherwise skip (or fail under TMS_REQUIRE_SERVICES=1)."""
    if reachable(url):
        return url
    unavailable(f"{what} is not reachable at {urlparse(url).netloc}")
