"""Reads of personal access tokens: a person's list, and the token a request presents."""

from django.db.models import QuerySet

from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.secret import secret_hash, well_formed


def token_list_live(*, user_id: int) -> QuerySet[PersonalAccessToken]:
    """The tokens not revoked, expired ones too (so their owner sees why a script stopped), newest first."""
    return PersonalAccessToken.objects.filter(user_id=user_id, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def token_live_count(*, user_id: int) -> int:
    return token_list_live(user_id=user_id).count()


def token_for_secret(raw: str) -> PersonalAccessToken | None:
    """The token row of a presented secret with its user, in one indexed query; None for junk.

    Whether it is revoked, expired or its user deactivated is for the caller to judge from the
    row: one query whatever the answer, and the row is read on every request, so a revocation
    counts from the next one.
    """
    if not well_formed(raw):
        return None
    return (
        PersonalAccessToken.objects.select_related("user")
        .only(
            "id",
            "scopes",
            "project_id",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "user__id",
            "user__is_active",
            "user__time_zone",
        )
        .filter(token_hash=secret_hash(raw))
        .first()
    )
