"""Sign-in sessions: start, refresh (rotate), revoke.

A session is the chain of refresh tokens issued since one sign-in. Only the
newest token of the chain (``AuthSession.refresh_jti``) is valid; each use
rotates it, and the old one stops working because the row names the new one —
the one store of refresh-token validity (no blacklist table). A rotated-away
token presented again means two parties hold the session (theft or replay), so
the session ends.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import SessionInvalid
from accounts.models import AuthSession, User
from accounts.tokens import (
    HMAC_SIGNING,
    SessionRefreshToken,
    check_claim_types,
    current_key_backend,
    decode_with_previous_keys,
    refresh_token_backend,
)
from tms_project.claims import SESSION_CLAIM, TIME_ZONE_CLAIM


@dataclass(frozen=True)
class IssuedTokens:
    access: str
    refresh: str
    session: AuthSession


def _expiry() -> datetime:
    return timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def _new_refresh(user: User) -> RefreshToken:
    return SessionRefreshToken.for_user(user)


def _issued(refresh: RefreshToken, session: AuthSession) -> IssuedTokens:
    refresh[SESSION_CLAIM] = session.pk
    # The task service reads the time zone from the token ("overdue" is per user's today).
    refresh[TIME_ZONE_CLAIM] = session.user.time_zone
    return IssuedTokens(access=str(refresh.access_token), refresh=str(refresh), session=session)


def _revoke(session: AuthSession) -> None:
    session.revoked_at = timezone.now()
    session.save(update_fields=["revoked_at"])


def _decoded(raw_refresh: str) -> dict[str, Any]:
    """The claims of a refresh token signed either way TMS_REFRESH_TOKEN_SIGNING allows: with
    HMAC (accounts.tokens.refresh_token_backend) or with the private key (RS256), whichever this
    pod issues tried first. Both are read whatever this pod issues, so pods of a rolling update
    read each other's tokens; and during a key rotation, both made with the previous pair."""
    issued, other = current_key_backend(), refresh_token_backend()
    if settings.TMS_REFRESH_TOKEN_SIGNING == HMAC_SIGNING:
        issued, other = other, issued
    # simplejwt annotates the parameter as its Token class; it is the encoded JWT, as jwt.decode takes.
    try:
        return issued.decode(raw_refresh, verify=True)  # type: ignore[arg-type]
    except TokenBackendError:
        try:
            return other.decode(raw_refresh, verify=True)  # type: ignore[arg-type]
        except TokenBackendError as error:
            # During a key rotation: signed with the pair before (never issued with it).
            return decode_with_previous_keys(raw_refresh, error, refresh=True)


def refresh_claims(*, raw_refresh: str) -> dict[str, Any]:
    """Signature, expiry, audience, issuer and type of a refresh token, or SessionInvalid.

    No database work: a view reads the session id from the verified claims to count the
    session's refreshes (``refresh_session``) before ``session_refresh`` or ``session_end``
    lock its row. Verified, because session ids are small integers anyone could write into
    an unsigned token to spend someone else's budget."""
    try:
        claims = _decoded(raw_refresh)
    except TokenBackendError as exc:
        raise SessionInvalid(str(exc)) from exc
    if claims.get("token_type") != "refresh" or SESSION_CLAIM not in claims or "jti" not in claims:
        raise SessionInvalid("not a refresh token")
    try:
        check_claim_types(claims)  # a signed token's claims still need their types (sid is a key)
    except TokenError as exc:
        raise SessionInvalid(str(exc)) from exc
    return claims


def _live_session_for_update(claims: dict[str, Any]) -> AuthSession:
    session = (
        AuthSession.objects.select_for_update()
        .select_related("user")
        .filter(pk=claims[SESSION_CLAIM], revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None or not session.user.is_active:
        raise SessionInvalid("session ended")
    return session


@transaction.atomic
def session_start(*, user: User, user_agent: str, ip_address: str | None) -> IssuedTokens:
    """Sign ``user`` in on a new device."""
    refresh = _new_refresh(user)
    now = timezone.now()
    session = AuthSession.objects.create(
        user=user,
        refresh_jti=refresh["jti"],
        user_agent=user_agent[:255],
        ip_address=ip_address or None,
        last_used_at=now,
        expires_at=_expiry(),
    )
    User.objects.filter(pk=user.pk).update(last_login=now)
    return _issued(refresh, session)


def session_refresh(*, claims: dict[str, Any], user_agent: str) -> IssuedTokens:
    """Rotate a refresh token, given its ``refresh_claims``: the presented one stops working, a new
    pair is issued."""
    refresh: RefreshToken | None = None
    with transaction.atomic():
        session = _live_session_for_update(claims)
        if session.refresh_jti != claims["jti"]:  # replayed
            _revoke(session)
        else:
            refresh = _new_refresh(session.user)
            session.refresh_jti = refresh["jti"]
            session.last_used_at = timezone.now()
            session.expires_at = _expiry()
            session.user_agent = (user_agent or session.user_agent)[:255]
            session.save(update_fields=["refresh_jti", "last_used_at", "expires_at", "user_agent"])
    # Raised outside the block so the revocation above is committed.
    if refresh is None:
        raise SessionInvalid("refresh token already used; the session has been ended")
    return _issued(refresh, session)


@transaction.atomic
def session_end(*, claims: dict[str, Any]) -> None:
    """Sign out: the session of this refresh token (given its ``refresh_claims``) ends (a no-op when
    it already has)."""
    session = AuthSession.objects.select_for_update().filter(pk=claims[SESSION_CLAIM]).first()
    if session is not None and session.revoked_at is None:
        _revoke(session)


@transaction.atomic
def session_revoke(*, user: User, session_id: int) -> bool:
    """Revoke one of ``user``'s live sessions; False when there is none with that id."""
    session = (
        AuthSession.objects.select_for_update()
        .filter(pk=session_id, user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if session is None:
        return False
    _revoke(session)
    return True


@transaction.atomic
def sessions_revoke_all(*, user: User, keep_session_id: int | None = None) -> int:
    """Revoke every live session of ``user`` except ``keep_session_id``; return how many."""
    sessions = AuthSession.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if keep_session_id is not None:
        sessions = sessions.exclude(pk=keep_session_id)
    revoked = list(sessions)
    for session in revoked:
        _revoke(session)
    return len(revoked)
