"""Authentication pieces for the public endpoints of /api/auth/."""

from rest_framework.authentication import BaseAuthentication


class PublicEndpointAuthentication(BaseAuthentication):
    """Authenticates nobody; names the Bearer scheme so failed sign-ins answer 401, not 403.

    Sign-in, refresh and reset must work whatever stale Authorization header a
    client still sends, so they do not run JWT authentication at all.
    """

    def authenticate(self, request):
        return None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
