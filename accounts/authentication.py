"""Authentication pieces of /api/auth/: public endpoints, and the signed-in ones."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.tokens import Token

from accounts.models import User
from tms_project.personal_tokens.secret import looks_like_token

PERSONAL_TOKEN_REFUSED = "Personal access tokens are accepted on /api/tasks/ only."  # noqa: S105 - a message


class PublicEndpointAuthentication(BaseAuthentication):
    """Authenticates nobody; names the Bearer scheme so failed sign-ins answer 401, not 403.

    Sign-in, refresh and reset must work whatever stale Authorization header a
    client still sends, so they do not run JWT authentication at all.
    """

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class AccountTokenAuthentication(JWTAuthentication):
    """The access token of a signed-in session, as JWTAuthentication checks it; a personal access
    token gets a 401 that says where it belongs instead of "not a valid JWT".

    A personal access token never manages the account or makes more tokens: whoever finds one
    leaked gets no further than its scopes on /api/tasks/.
    """

    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]
        header = self.get_header(request)
        raw = self.get_raw_token(header) if header else None
        if raw is not None and looks_like_token(raw.decode("latin-1")):
            raise AuthenticationFailed(PERSONAL_TOKEN_REFUSED, "token_not_valid")
        return super().authenticate(request)  # type: ignore[return-value]
