"""Refresh tokens that name the session they belong to (``sid`` claim)."""

from rest_framework_simplejwt.tokens import RefreshToken

SESSION_CLAIM = "sid"
TIME_ZONE_CLAIM = "tz"


class SessionRefreshToken(RefreshToken):
    """A blacklistable refresh token; ``sid`` is copied into its access tokens."""
