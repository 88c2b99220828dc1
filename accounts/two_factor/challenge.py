"""The sign-in challenge: a password that was right, waiting for the second factor.

The first step of a sign-in hands the client an ``mfa_token`` (32 random bytes);
only its SHA-256 is stored. It works for five minutes, for one sign-in, and for
at most ``MAX_FAILURES`` wrong codes; after that the password must be given again.

The password attempt of the first step stays counted against the account's
sign-in budget (accounts.login_budget) until the second step succeeds; the
attempts to give back then are kept in the cache beside the challenge. Should the
cache lose them, they just stay counted, which is the safe side.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.two_factor.models import MFAChallenge
from tms_project import ratelimit

logger = logging.getLogger("tms.two_factor")

LIFETIME = timedelta(minutes=5)
MAX_FAILURES = 5


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _attempts_key(token_hash: str) -> str:
    return f"mfa:attempts:{token_hash}"


def challenge_create(*, user: User, use_cookie: bool, attempts: list[ratelimit.Attempt | None]) -> str:
    """Start the second step for ``user``; returns the raw token (shown once, to the client)."""
    token = secrets.token_urlsafe(32)
    token_hash = _token_hash(token)
    now = timezone.now()
    with transaction.atomic():
        # The user's expired challenges go now: rows never pile up beyond five minutes of sign-ins.
        MFAChallenge.objects.filter(user=user, expires_at__lte=now).delete()
        MFAChallenge.objects.create(
            user=user, token_hash=token_hash, use_cookie=use_cookie, expires_at=now + LIFETIME
        )
    kept = [(a.name, a.key) for a in attempts if a is not None]
    if kept:
        try:
            cache.set(_attempts_key(token_hash), kept, timeout=int(LIFETIME.total_seconds()) + 60)
        except Exception:  # noqa: BLE001 - the attempts then stay counted, which is the safe side
            logger.warning("sign-in attempts not kept for refund")
    return token


def challenge_live(*, token: str) -> MFAChallenge | None:
    """The unexpired, unused challenge of ``token``, locked for this transaction, or None."""
    if not token:
        return None
    return (
        MFAChallenge.objects.select_for_update()
        .select_related("user")
        .filter(
            token_hash=_token_hash(token),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            failures__lt=MAX_FAILURES,
        )
        .first()
    )


def challenge_failed(*, challenge: MFAChallenge) -> None:
    """Count a wrong code; the last allowed one spends the challenge."""
    MFAChallenge.objects.filter(pk=challenge.pk).update(failures=F("failures") + 1)
    challenge.refresh_from_db(fields=["failures"])
    if challenge.failures >= MAX_FAILURES:
        MFAChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=timezone.now())


def challenge_use(*, challenge: MFAChallenge) -> bool:
    """Mark the challenge used; True for the one request that did it."""
    used = MFAChallenge.objects.filter(
        pk=challenge.pk, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    return used == 1


def challenge_attempts(*, token: str) -> list[ratelimit.Attempt | None]:
    """The first step's password attempts, to give back now that the whole sign-in succeeded."""
    key = _attempts_key(_token_hash(token))
    try:
        kept = cache.get(key) or []
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the attempts stay counted, which is the safe side
        return []
    return [ratelimit.Attempt(name=name, key=value) for name, value in kept]
