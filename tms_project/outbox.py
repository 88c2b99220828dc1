"""Draining an outbox table one row at a time, shared by every process that may drain it.

Each row is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` in a transaction of its own
and handled inside it, so the outcome is recorded in the transaction that holds the claim:
any number of processes share the rows and none is handled twice. Used by the mail outbox
(accounts.services.mail) and the notification deliveries (tasks.notifications.deliver).
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import models, transaction

Row = TypeVar("Row", bound=models.Model)


def _nothing() -> None:
    pass


def drain(
    due: Callable[[], "models.QuerySet[Row]"],
    handle: Callable[[Row], None],
    *,
    limit: int,
    progress: Callable[[], None] = _nothing,
) -> int:
    """Handle up to ``limit`` rows of ``due()`` (ordered as they should go), one per transaction;
    how many were handled. ``progress`` is called after each."""
    handled = 0
    while handled < limit:
        with transaction.atomic():
            row = due().select_for_update(skip_locked=True).first()
            if row is None:
                break
            handle(row)
        handled += 1
        progress()
    return handled
