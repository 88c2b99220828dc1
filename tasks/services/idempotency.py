"""Idempotent creation: a retried POST with the same Idempotency-Key gets the first answer.

The key row is inserted first, in the same transaction as the task. A
concurrent request with the same key waits on the unique index until the
first commits, then finds the row and replays its answer, so one key creates
exactly one task. Keys are kept for IDEMPOTENCY_TTL; an older key is reusable.

The owner's row lock (tasks.services.quotas) comes before the key row: inserting
the key first would hold a shared lock on the owner through its foreign key, and
two such requests upgrading to the quota check's exclusive lock would deadlock.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks.errors import KeyInFlight, KeyReusedWithOtherBody, TaskInvalid
from tasks.models import IdempotencyRecord
from tasks.services.quotas import lock_owner

IDEMPOTENCY_TTL = timedelta(hours=24)
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any
    replayed: bool


def validate_key(key: str) -> str:
    if not _VALID_KEY.match(key):
        raise TaskInvalid({"Idempotency-Key": ["Use 1–255 visible ASCII characters (a UUID is ideal)."]})
    return key


def request_fingerprint(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Outcome:
    if record.request_hash != fingerprint:
        raise KeyReusedWithOtherBody
    if record.status_code is None:
        raise KeyInFlight
    return Outcome(record.status_code, record.response, replayed=True)


def run_once(*, owner_id: int, key: str, fingerprint: str, create: Callable[[], tuple[int, Any]]) -> Outcome:
    """Run ``create`` (returns status and body) once per (owner, key); replay its outcome after."""
    cutoff = timezone.now() - IDEMPOTENCY_TTL
    IdempotencyRecord.objects.filter(owner_id=owner_id, key=key, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            lock_owner(owner_id)
            record = IdempotencyRecord.objects.create(owner_id=owner_id, key=key, request_hash=fingerprint)
            status_code, body = create()
            record.status_code, record.response = status_code, body
            record.save(update_fields=["status_code", "response"])
            return Outcome(status_code, body, replayed=False)
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(owner_id=owner_id, key=key).first()
        if existing is None:  # the key row was not the conflict (e.g. the owner is gone)
            raise
        return _replay(existing, fingerprint)


def purge_expired_keys() -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_TTL).delete()
    return deleted
