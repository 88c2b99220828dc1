"""Writes of personal access tokens: making one (the auth service alone mints them) and revoking one.

The task service only reads the table and notes a token's use in ``last_used_at``
(tms_project.personal_tokens.verify); it never makes a token.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.personal_tokens.errors import TokenInvalid, TokenQuotaExceeded
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.selectors import token_live_count
from tasks import access
from tms_project.personal_tokens.secret import hint_of, new_secret, secret_hash

MAX_LIVE_TOKENS = 50


@dataclass(frozen=True)
class NewToken:
    token: PersonalAccessToken
    secret: str  # shown once, in the answer that made it; never stored


def token_create(
    *,
    user_id: int,
    name: str,
    scopes: list[str],
    project_id: int | None = None,
    expires_in_days: int | None = None,
) -> NewToken:
    """A new token for ``user_id``; TokenQuotaExceeded past MAX_LIVE_TOKENS, TokenInvalid for a
    project the person cannot read (as for one that does not exist)."""
    if project_id is not None and access.project_role(user_id, project_id) is None:
        raise TokenInvalid({"project": [f"There is no project {project_id}."]})
    secret = new_secret()
    now = timezone.now()
    with transaction.atomic():
        # The user row's lock makes two requests at the quota's edge count one after the other.
        list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))
        have = token_live_count(user_id=user_id)
        if have >= MAX_LIVE_TOKENS:
            raise TokenQuotaExceeded(
                f"The access token quota is {MAX_LIVE_TOKENS} per account and you have {have}:"
                " revoke one first (expired tokens count until revoked)."
            )
        token = PersonalAccessToken.objects.create(
            user_id=user_id,
            name=name,
            token_hash=secret_hash(secret),
            hint=hint_of(secret),
            scopes=sorted(set(scopes)),
            project_id=project_id,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token_id: int, user_id: int | None = None) -> bool:
    """Revoke a live token (of ``user_id``, when given); False when there is none to revoke.

    Effective on the token's next request: every request reads the row.
    """
    tokens = PersonalAccessToken.objects.filter(pk=token_id, revoked_at__isnull=True)
    if user_id is not None:
        tokens = tokens.filter(user_id=user_id)
    return tokens.update(revoked_at=timezone.now()) > 0
