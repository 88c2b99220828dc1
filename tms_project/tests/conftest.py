"""Fixtures of the tests that start real gunicorn servers."""

import pytest

from tests.support.server import base_env, manage


@pytest.fixture
def sqlite_env(tmp_path):
    """The environment of a server of its own: a migrated SQLite file in the test's folder."""
    env = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = manage("migrate", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    return env
