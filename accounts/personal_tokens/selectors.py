"""Reads of personal access tokens: a person's list. (The token a request presents is read by
tms_project.personal_tokens.verify, for both services.)"""

from django.db.models import QuerySet

from accounts.personal_tokens.models import PersonalAccessToken


def token_list_live(*, user_id: int) -> QuerySet[PersonalAccessToken]:
    """The tokens not revoked, expired ones too (so their owner sees why a script stopped), newest first."""
    return PersonalAccessToken.objects.filter(user_id=user_id, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )


def token_live_count(*, user_id: int) -> int:
    return token_list_live(user_id=user_id).count()
