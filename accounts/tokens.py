"""Tokens: refresh tokens that name the session they belong to (``sid`` claim), and the access
tokens every request presents, whose claims must have the types TMS reads them as."""

import functools
import hashlib
import hmac
from typing import Any

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, BlacklistMixin, RefreshToken

from tms_project.claims import SESSION_CLAIM, TIME_ZONE_CLAIM

LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a datetime can hold
MAX_ID = 2**63 - 1  # the largest database id (BIGINT)


# TMS_REFRESH_TOKEN_SIGNING's value for HMAC, and the algorithm: only the auth service signs and
# reads refresh tokens.
HMAC_SIGNING, REFRESH_ALGORITHM = "hmac", "HS256"


def _hmac_key(private_pem: str) -> bytes:
    loaded = serialization.load_pem_private_key(private_pem.encode(), password=None)
    canonical = loaded.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return hmac.new(canonical, b"tms refresh tokens v1", hashlib.sha256).digest()


def _backend(algorithm: str, backend: type[TokenBackend] = TokenBackend, **keys: Any) -> TokenBackend:
    return backend(
        algorithm,
        audience=api_settings.AUDIENCE,
        issuer=api_settings.ISSUER,
        leeway=settings.SIMPLE_JWT.get("LEEWAY", api_settings.LEEWAY),
        json_encoder=api_settings.JSON_ENCODER,
        **keys,
    )


@functools.cache
def refresh_token_backend() -> TokenBackend:
    """Signs and verifies refresh tokens with HMAC-SHA256, under a key derived from the auth
    service's private JWT key.

    Only the auth service ever reads a refresh token, so it needs no public-key signature: an
    RS256 signature cost 1 ms of CPU, a third of a refresh (docs/performance.md). The key is the
    private key's own, taken from its canonical encoding (DER, PKCS#8), so every auth pod derives
    the same whatever the PEM's line endings or format; rotating the key pair rotates it too. The
    public key the task service holds cannot make it. Access tokens stay RS256, which the task
    service verifies with the public key alone; it accepts RS256 only, so a refresh token is never
    an access token.
    """
    private_key = settings.SIMPLE_JWT.get("SIGNING_KEY")
    if not private_key:
        raise ImproperlyConfigured("refresh tokens are signed by the auth service, with the private key")
    # PyJWT takes the HMAC key as bytes
    return _backend(REFRESH_ALGORITHM, signing_key=_hmac_key(str(private_key)))


@functools.cache
def previous_key_backends(*, refresh: bool) -> tuple[TokenBackend, ...]:
    """What verifies a token signed with the key pair before the last rotation: its public key
    (RS256); for refresh tokens, on the auth service, also its HMAC key (an access token is RS256
    only, as with the current pair); nothing outside a rotation.

    They are tried only after the current key refused a token, so a token signed with the
    current key costs what it did; nothing is ever signed with them.
    """
    backends = []
    if settings.JWT_PREVIOUS_PUBLIC_KEY:
        backends.append(_backend(api_settings.ALGORITHM, verifying_key=settings.JWT_PREVIOUS_PUBLIC_KEY))
    if refresh and settings.JWT_PREVIOUS_PRIVATE_KEY:
        backends.append(_backend(REFRESH_ALGORITHM, signing_key=_hmac_key(settings.JWT_PREVIOUS_PRIVATE_KEY)))
    return tuple(backends)


def decode_with_previous_keys(raw: str, error: TokenBackendError, *, refresh: bool) -> dict[str, Any]:
    """The claims of ``raw`` if a previous key signed it; else ``error``, the current key's refusal
    (an expired token stays expired: only a bad signature is worth a second try)."""
    if type(error) is TokenBackendError:  # not TokenBackendExpiredToken
        for backend in previous_key_backends(refresh=refresh):
            try:
                return backend.decode(raw, verify=True)  # type: ignore[arg-type]
            except TokenBackendError:
                continue
    raise error


class _RotatingTokenBackend(TokenBackend):
    """A backend of the current pair that also accepts tokens of the previous one."""

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        try:
            return super().decode(token, verify)
        except TokenBackendError as error:
            if not verify:
                raise
            return decode_with_previous_keys(token, error, refresh=False)


def _current_keys() -> dict[str, Any]:
    # From the settings as they are now: simplejwt's own backend is built once, at import.
    jwt_settings = settings.SIMPLE_JWT
    return {"signing_key": jwt_settings["SIGNING_KEY"], "verifying_key": jwt_settings["VERIFYING_KEY"]}


@functools.cache
def current_key_backend() -> TokenBackend:
    """Signs and verifies RS256 refresh tokens with the current pair alone."""
    return _backend(api_settings.ALGORITHM, **_current_keys())


@functools.cache
def access_token_backend() -> TokenBackend:
    """Signs access tokens with the current pair; verifies them with it, then with the previous one
    (previous_key_backends)."""
    return _backend(api_settings.ALGORITHM, _RotatingTokenBackend, **_current_keys())


class SessionRefreshToken(RefreshToken):
    """A refresh token of a session; ``sid`` is copied into its access tokens.

    Whether it still works is its session's row alone (``AuthSession.refresh_jti``, read by
    accounts.services.sessions, which decodes it signed either way). It is signed with the private
    key, or with HMAC under ``TMS_REFRESH_TOKEN_SIGNING=hmac`` (refresh_token_backend). simplejwt's
    blacklist app would also record every token issued (OutstandingToken) and every one rotated
    away (BlacklistedToken), which nothing reads: a refresh is the session's two statements only.
    """

    @classmethod
    def for_user(cls, user: AbstractBaseUser) -> "SessionRefreshToken":  # type: ignore[override]
        # Token.for_user, past BlacklistMixin's, which would insert an OutstandingToken row.
        return super(BlacklistMixin, cls).for_user(user)

    def get_token_backend(self) -> TokenBackend:
        if settings.TMS_REFRESH_TOKEN_SIGNING == HMAC_SIGNING:
            return refresh_token_backend()
        return current_key_backend()


@receiver(setting_changed)
def _forget_refresh_key(*, setting: str, **kwargs: Any) -> None:
    # Tests that change the key pair get refresh tokens signed with the new one.
    if setting in ("SIMPLE_JWT", "JWT_PREVIOUS_PRIVATE_KEY", "JWT_PREVIOUS_PUBLIC_KEY"):
        refresh_token_backend.cache_clear()
        previous_key_backends.cache_clear()
        current_key_backend.cache_clear()
        access_token_backend.cache_clear()


def _is_int_between(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high  # bool is an int subclass: not accepted


def _is_id(value: Any) -> bool:
    # simplejwt writes the user id as a string of digits; TMS writes the session id as a number
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        value = int(value)
    return _is_int_between(value, 1, MAX_ID)


def check_claim_types(payload: dict[str, Any]) -> None:
    """TokenError unless each claim TMS reads is of its type: times whole numbers in range, ids
    positive whole numbers (or their digits), the rest strings.

    The signature proves who made a token, not that its claims make sense; a time given as text,
    or a user id given as an object, would otherwise fail deep in datetime or the database (a 500).
    """
    for claim in ("exp", "iat", "nbf"):
        if claim in payload and not _is_int_between(payload[claim], 0, LAST_SECOND):
            raise TokenError(f"Token '{claim}' claim is not a time in seconds")
    for claim in (api_settings.USER_ID_CLAIM, SESSION_CLAIM):
        if claim in payload and not _is_id(payload[claim]):
            raise TokenError(f"Token '{claim}' claim is not an id")
    for claim in (api_settings.TOKEN_TYPE_CLAIM, api_settings.JTI_CLAIM, TIME_ZONE_CLAIM):
        if claim in payload and not isinstance(payload[claim], str):
            raise TokenError(f"Token '{claim}' claim is not a string")


class CheckedAccessToken(AccessToken):
    """The access token both services accept (``SIMPLE_JWT["AUTH_TOKEN_CLASSES"]``), signed with
    the current key or, during a rotation, the previous one."""

    def get_token_backend(self) -> TokenBackend:
        return access_token_backend()

    def verify(self) -> None:
        check_claim_types(self.payload)
        super().verify()


# The access tokens a session's refresh token makes are signed by current_key_backend too.
SessionRefreshToken.access_token_class = CheckedAccessToken
