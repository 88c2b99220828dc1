"""How both services check ``Authorization: Bearer tms_pat_...``.

The task service verifies a personal access token and never makes one (accounts.personal_tokens
.services, in the auth service, does); nothing here imports the accounts app. It shares the auth
service's database, so it reads the token row directly (tms_project.personal_tokens.verify): the
prefix and length are checked first (junk costs no query), then one indexed SELECT by the
secret's SHA-256 joins the user for ``is_active`` and ``time_zone``. A revoked or expired token,
or a deactivated user, is refused on its next request: nothing is cached. ``last_used_at`` is
written at most once a minute per token.

Any other bearer (a JWT) is left to the next authentication class.
"""

from dataclasses import dataclass

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from tms_project.personal_tokens import schema  # noqa: F401 - registers the OpenAPI security scheme
from tms_project.personal_tokens.secret import looks_like_token
from tms_project.personal_tokens.verify import VerifiedToken, token_for_secret, token_mark_used

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


@dataclass(frozen=True)
class TokenOwner:
    """``request.user`` of a request made with a personal access token: who, as for a JWT's
    TokenUser (the task service reads only the id)."""

    id: int
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def pk(self) -> int:
        return self.id


class PersonalTokenAuthentication(BaseAuthentication):
    """``Bearer tms_pat_...``: the token's owner, with the checked token as ``request.auth``."""

    def authenticate(self, request: Request) -> tuple[TokenOwner, VerifiedToken] | None:
        raw = presented_bearer(request)
        if raw is None or not looks_like_token(raw):
            return None
        token = token_for_secret(raw)
        if token is None or not token.usable():
            raise AuthenticationFailed(INVALID_MESSAGE, TOKEN_NOT_VALID)
        token_mark_used(token)
        return TokenOwner(id=token.user_id), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
