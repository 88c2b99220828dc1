"""Fixtures for the reliability tests that take a database away: a MariaDB of their own."""

import pytest

from tests.support.mariadb import dedicated_mariadb
from tests.support.server import base_env, manage
from tms_project.jwt_keys import write_key_pair


@pytest.fixture
def mariadb():
    with dedicated_mariadb() as server:
        server.execute("CREATE DATABASE tms CHARACTER SET utf8mb4")
        yield server


@pytest.fixture
def mariadb_env(tmp_path, mariadb):
    """``make(**overrides)``: a migrated TMS (all roles) on the dedicated MariaDB, as environment.

    The private key is a file, so a server started later with the same environment accepts the
    tokens an earlier one issued.
    """

    def make(**overrides: str) -> dict[str, str]:
        private_key, _ = write_key_pair(tmp_path / "keys")
        env = base_env(
            DATABASE_URL=mariadb.url("tms"),
            TMS_SERVICE="all",
            TMS_JWT_PRIVATE_KEY_FILE=str(private_key),
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
            # One account here writes far faster than a person: the per-user limits, tested on
            # their own (tasks/tests/test_rate_limits.py), must not be what these tests measure.
            TMS_RATELIMIT_TASKS_WRITE="100000000/m",
            **overrides,
        )
        result = manage("migrate", "--noinput", env=env)
        assert result.returncode == 0, result.stderr
        return env

    return make
