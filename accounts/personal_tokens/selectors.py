"""Reads of personal access tokens: a person's list, and the token a request presents."""

import json
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from accounts.models import User
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.secret import secret_hash, well_formed


def token_list_live(*, user_id: int) -> QuerySet[PersonalAccessToken]:
    """The tokens not revoked, expired ones too (so their owner sees why a script stopped), newest first."""
    return PersonalAccessToken.objects.filter(user_id=user_id, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def token_live_count(*, user_id: int) -> int:
    return token_list_live(user_id=user_id).count()


_COLUMNS = "t.id, t.user_id, t.scopes, t.project_id, t.last_used_at, t.expires_at, t.revoked_at"


def _token_sql() -> str:
    tokens, users = PersonalAccessToken._meta.db_table, User._meta.db_table
    join = f"{tokens} t JOIN {users} u ON u.id = t.user_id"
    return f"SELECT {_COLUMNS}, u.is_active, u.time_zone FROM {join} WHERE t.token_hash = %s"  # noqa: S608 - model names


def _moment(value: Any) -> datetime | None:
    """A DATETIME column as the ORM reads it: aware, in UTC (SQLite hands back text)."""
    return connection.ops.convert_datetimefield_value(value, None, connection)  # type: ignore[attr-defined]


def token_for_secret(raw: str) -> PersonalAccessToken | None:
    """The token row of a presented secret with its user, in one indexed query; None for junk.

    Whether it is revoked, expired or its user deactivated is for the caller to judge from the
    row: one query whatever the answer, and the row is read on every request, so a revocation
    counts from the next one. Hand-written, as tasks.access.scope_of: compiling the ORM's
    select_related query cost several times the query itself (bench/pat_timing.py).
    """
    if not well_formed(raw):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(), [secret_hash(raw)])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, user_id, scopes, project_id, last_used_at, expires_at, revoked_at, is_active, time_zone = row
    token = PersonalAccessToken(
        id=token_id,
        user_id=user_id,
        scopes=json.loads(scopes) if isinstance(scopes, (str, bytes)) else scopes,
        project_id=project_id,
        last_used_at=_moment(last_used_at),
        expires_at=_moment(expires_at),
        revoked_at=_moment(revoked_at),
    )
    # Only what the task service reads of the user: who, whether they may still act, their zone.
    token.user = User(id=user_id, is_active=bool(is_active), time_zone=time_zone)
    return token
