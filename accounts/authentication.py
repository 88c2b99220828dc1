"""Authentication pieces for the public endpoints of /api/auth/."""

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request


class PublicEndpointAuthentication(BaseAuthentication):
    """Authenticates nobody; names the Bearer scheme so failed sign-ins answer 401, not 403.

    Sign-in, refresh and reset must work whatever stale Authorization header a
    client still sends, so they do not run JWT authentication at all.
    """

    def authenticate(self, request: Request) -> None:
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
