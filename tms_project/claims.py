"""Names of the token claims both services read. The auth service writes them into the tokens
it signs (accounts); the task service reads them from the tokens it verifies (tasks). Neither app
imports the other: they share these names."""

# The session a refresh token, and every access token made from it, belongs to.
SESSION_CLAIM = "sid"
# The account's IANA time zone, so the task service knows the user's "today" without asking auth.
TIME_ZONE_CLAIM = "tz"
