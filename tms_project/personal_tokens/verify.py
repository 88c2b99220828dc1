"""The token a request presents, read from its row; and noting that it was used.

Both in hand-written SQL on the tables the auth service's models own (``personal_access_tokens``,
``users``; accounts.tests check the names): the task service reads them without importing the
accounts app, and compiling the ORM's join cost several times the query itself
(bench/pat_timing.py), as for tasks.access.scope_of.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from tms_project.personal_tokens.secret import secret_hash, well_formed

TOKENS_TABLE = "personal_access_tokens"
USERS_TABLE = "users"
# last_used_at is written at most this often per token.
LAST_USED_GRANULARITY = timedelta(minutes=1)

_SELECT = (
    "SELECT t.id, t.user_id, t.scopes, t.project_id, t.last_used_at, t.expires_at, t.revoked_at, "  # noqa: S608
    f"u.is_active, u.time_zone FROM {TOKENS_TABLE} t JOIN {USERS_TABLE} u ON u.id = t.user_id "
    "WHERE t.token_hash = %s"
)
_MARK_USED = (
    f"UPDATE {TOKENS_TABLE} SET last_used_at = %s "  # noqa: S608
    "WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= %s)"
)


@dataclass
class VerifiedToken:
    """What a request's personal access token allows, and whose it is (``request.auth``)."""

    id: int
    user_id: int
    scopes: list[str]
    project_id: int | None
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    user_is_active: bool
    time_zone: str

    def usable(self) -> bool:
        """Not revoked, not expired, and its user may still act."""
        if self.revoked_at is not None or not self.user_is_active:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


def _moment(value: Any) -> datetime | None:
    """A DATETIME column as the ORM reads it: aware, in UTC (SQLite hands back text)."""
    return connection.ops.convert_datetimefield_value(value, None, connection)  # type: ignore[attr-defined]


def token_for_secret(raw: str) -> VerifiedToken | None:
    """The row of a presented secret with its user's state, in one indexed query; None for junk.

    Whether it is revoked, expired or its user deactivated is judged from the row by the caller:
    one query whatever the answer, and read on every request, so a revocation counts from the next.
    """
    if not well_formed(raw):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_SELECT, [secret_hash(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, user_id, scopes, project_id, last_used_at, expires_at, revoked_at, is_active, time_zone = row
    return VerifiedToken(
        id=token_id,
        user_id=user_id,
        scopes=json.loads(scopes) if isinstance(scopes, (str, bytes)) else scopes,
        project_id=project_id,
        last_used_at=_moment(last_used_at),
        expires_at=_moment(expires_at),
        revoked_at=_moment(revoked_at),
        user_is_active=bool(is_active),
        time_zone=time_zone,
    )


def token_mark_used(token: VerifiedToken) -> None:
    """Note a use, at most once a minute per token.

    The row the request read says whether it is due; the UPDATE checks again in its WHERE, so
    concurrent requests write once and nothing is read back (no read-modify-write).
    """
    now = timezone.now()
    stale = now - LAST_USED_GRANULARITY
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    with connection.cursor() as cursor:
        cursor.execute(_MARK_USED, [now, token.id, stale])
    token.last_used_at = now
