"""Fixtures shared by every test suite."""

import pytest

from tests.support.services import REDIS_URL, require


@pytest.fixture
def redis_url() -> str:
    """A reachable Redis for tests that need the shared cache."""
    return require(REDIS_URL, "Redis")


@pytest.fixture
def assert_queries():
    """Assert the SQL statements a block runs, not counting savepoints.

    In tests every transaction.atomic block is a savepoint inside the test's
    transaction; in production it is a BEGIN/COMMIT that Django does not log
    as a query. Counting what production counts keeps the contract honest.
    """
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def _assert(expected: int, *, at_most: bool = False):
        with CaptureQueriesContext(connection) as context:
            yield context
        statements = [
            query["sql"]
            for query in context.captured_queries
            if not query["sql"]
            .upper()
            .startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        ]
        failed = len(statements) > expected if at_most else len(statements) != expected
        if failed:
            listing = "\n".join(statements)
            bound = f"at most {expected}" if at_most else str(expected)
            pytest.fail(f"expected {bound} queries, ran {len(statements)}:\n{listing}")

    return _assert
