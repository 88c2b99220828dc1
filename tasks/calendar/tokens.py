"""Calendar feed tokens: made once, shown once, stored only as their SHA-256.

A calendar application fetches the feed without a session, so the token in the URL is the
credential. It carries 256 bits from ``secrets``; a fast hash is enough to keep a database
read from turning into working URLs (nobody can search 2^256 tokens), and lets a fetch find
its feed with one indexed lookup. The ``tmscal_`` prefix lets secret scanners and people
recognise a leaked feed URL.
"""

import hashlib
import re
import secrets

PREFIX = "tmscal_"
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
_TOKEN = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{43}}$")


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The hex SHA-256 stored in CalendarFeed.token_hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(value: str) -> bool:
    """Whether ``value`` has a token's shape: anything else is refused before a query."""
    return bool(_TOKEN.fullmatch(value))
