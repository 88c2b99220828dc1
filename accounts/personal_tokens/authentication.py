"""How the task service checks ``Authorization: Bearer tms_pat_...``.

The task service verifies a personal access token and never makes one (accounts.personal_tokens
.services, in the auth service, does). It shares the auth service's database, so it reads the
token row directly: the prefix and length are checked first (junk costs no query), then one
indexed SELECT by the secret's SHA-256 joins the user for ``is_active`` and ``time_zone``.
A revoked or expired token, or a deactivated user, is refused on its next request: nothing is
cached. ``last_used_at`` is written at most once a minute per token.

Any other bearer (a JWT) is left to the next authentication class.
"""

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import User
from accounts.personal_tokens import schema  # noqa: F401 - registers the OpenAPI security scheme
from accounts.personal_tokens.models import PersonalAccessToken
from accounts.personal_tokens.secret import looks_like_token
from accounts.personal_tokens.selectors import token_for_secret
from accounts.personal_tokens.services import token_mark_used

TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105 - an error code
INVALID_MESSAGE = "This personal access token is not valid: unknown, revoked or expired."


def presented_bearer(request: Request) -> str | None:
    """The credential of ``Authorization: Bearer <credential>``, or None."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2 or parts[0] != "Bearer":
        return None
    return parts[1]


def presents_personal_token(request: Request) -> bool:
    raw = presented_bearer(request)
    return raw is not None and looks_like_token(raw)


class PersonalTokenAuthentication(BaseAuthentication):
    """``Bearer tms_pat_...``: the token's user, with the token row as ``request.auth``."""

    def authenticate(self, request: Request) -> tuple[User, PersonalAccessToken] | None:
        raw = presented_bearer(request)
        if raw is None or not looks_like_token(raw):
            return None
        token = token_for_secret(raw)
        if token is None or not usable(token):
            raise AuthenticationFailed(INVALID_MESSAGE, TOKEN_NOT_VALID)
        token_mark_used(token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def usable(token: PersonalAccessToken) -> bool:
    """Not revoked, not expired, and its user may still sign in."""
    if token.revoked_at is not None or not token.user.is_active:
        return False
    return token.expires_at is None or token.expires_at > timezone.now()
