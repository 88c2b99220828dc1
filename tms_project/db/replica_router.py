"""Some reads on the read replica; every write, transaction and fresh read on the primary.

With ``TMS_DB_REPLICA_URL`` (or ``TMS_DB_REPLICA_HOST``) set, settings.py adds the ``replica``
database and this router (docs/operations.md "Read replica"). The replica is a copy that applies
the primary's changes a moment later (asynchronous replication), so it serves only what may be a
few seconds old, and only when the person asking cannot tell:

- Only the reads of the task list, a task, the stats, a task's history and the trash
  (``tms_project.api.replica_reads``: those views run their handler inside ``replica_reads()``);
  authentication, permission checks and everything else read the primary.
- Never inside a transaction on the primary (``atomic``): what it reads decides what it writes.
  ``select_for_update()`` makes a queryset a write as far as routing goes (Django asks
  ``db_for_write`` for it), and a locking read only makes sense in a transaction anyway.
- Never for a person who wrote within ``TMS_DB_READ_YOUR_WRITES_SECONDS``: each successful write
  through the task API pins its user to the primary in the shared cache for that long, so a write
  followed at once by a read of the same person always sees the write, in whichever pod it lands.
  The window is to be longer than the replication lag the operator tolerates.
- Never while the replica is failing: a read that fails on it runs again on the primary, and the
  process leaves the replica alone for ``TMS_DB_REPLICA_RETRY_SECONDS`` (``replica_failed``).

Migrations run on the primary only; writes always go to the primary.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections

from tms_project.metrics import DB_REPLICA_FALLBACKS

logger = logging.getLogger("tms.db")

REPLICA = "replica"
_PIN_PREFIX = "db-pin:"

# Whether reads of the code running now may go to the replica, and whether one did.
_reads_on_replica: ContextVar[bool] = ContextVar("tms_reads_on_replica", default=False)
_replica_read: ContextVar[bool] = ContextVar("tms_replica_read", default=False)
# Until when (time.monotonic()) this process sends no read to the replica, after it failed.
_replica_resting_until = 0.0
# Until when this process reads the primary without asking the cache for pins, after it failed.
_cache_resting_until = 0.0


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_to_primary(user_id: int) -> None:
    """``user_id`` has just written: their reads go to the primary for the read-your-writes window."""
    if not replica_configured():
        return
    try:
        cache.set(f"{_PIN_PREFIX}{user_id}", 1, timeout=settings.TMS_DB_READ_YOUR_WRITES_SECONDS)
    except Exception:  # the write is done: its answer must not turn into an error
        # While the cache is down pinned() answers True: the user's reads stay on the primary.
        logger.warning("could not pin a writer's reads to the primary", exc_info=True)


def pinned(user_id: int) -> bool:
    """Whether ``user_id`` wrote within the window (also when the cache cannot tell).

    After the cache failed, this process does not ask it again for ``TMS_DB_REPLICA_RETRY_SECONDS``:
    while the counters' master is lost every read would otherwise wait for the cache's connect
    timeout before going to the primary anyway.
    """
    global _cache_resting_until
    if time.monotonic() < _cache_resting_until:
        return True
    try:
        return cache.get(f"{_PIN_PREFIX}{user_id}") is not None
    except Exception:  # without the cache, the safe answer: the primary
        _cache_resting_until = time.monotonic() + settings.TMS_DB_REPLICA_RETRY_SECONDS
        logger.warning("cache unavailable: reads go to the primary for a while", exc_info=True)
        return True


def replica_resting() -> bool:
    return time.monotonic() < _replica_resting_until


@contextmanager
def replica_reads(user_id: int) -> Iterator[bool]:
    """Let the reads inside the block go to the replica, unless ``user_id`` is pinned or the
    replica is resting; yields whether they may."""
    allowed = replica_configured() and not replica_resting() and not pinned(user_id)
    token = _reads_on_replica.set(allowed)
    used = _replica_read.set(False)
    try:
        yield allowed
    finally:
        _reads_on_replica.reset(token)
        _replica_read.reset(used)


def failed_on_replica(exc: BaseException) -> bool:
    """Whether ``exc`` is the replica failing (not answering, connection lost) in this block."""
    return (
        _replica_read.get()
        and isinstance(exc, (OperationalError, InterfaceError))
        and connections[REPLICA].errors_occurred
    )


def replica_failed(exc: BaseException) -> None:
    """A read on the replica failed: the rest of the block, and this process for
    ``TMS_DB_REPLICA_RETRY_SECONDS``, read the primary; the broken connection is closed."""
    global _replica_resting_until
    _replica_resting_until = time.monotonic() + settings.TMS_DB_REPLICA_RETRY_SECONDS
    _reads_on_replica.set(False)
    DB_REPLICA_FALLBACKS.inc()
    logger.warning("read replica failed; reading the primary", exc_info=exc)
    try:
        connections[REPLICA].close()
    except DatabaseError:
        connections[REPLICA].connection = None


class ReplicaRouter:
    """settings.DATABASE_ROUTERS, when a replica is configured (see the module's docstring)."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if not _reads_on_replica.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # Django's default: the primary
        _replica_read.set(True)
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The same rows either way: an object read from the replica may be tied to one from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
