"""Reads for accounts (STYLE: selectors hold the reads)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuthSession, User


def session_list_live(*, user: User) -> QuerySet[AuthSession]:
    return AuthSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at", "-pk")
