"""Reads for accounts (STYLE: selectors hold the reads)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AuthSession, User
from accounts.usernames import username_key


def session_list_live(*, user: User) -> QuerySet[AuthSession]:
    return AuthSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at", "-pk")


def user_find_by_login(identifier: str) -> User | None:
    """The account a login name designates: a username (any case, any look-alike form) or an email."""
    identifier = identifier.strip()
    return (
        User.objects.filter(
            Q(username_key=username_key(identifier)) | Q(email=User.objects.normalize_email(identifier))
        )
        .order_by("pk")
        .first()
    )
