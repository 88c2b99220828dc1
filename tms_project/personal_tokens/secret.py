"""The secret of a personal access token: how it is made, recognised and stored.

``tms_pat_`` followed by 43 base64url characters (32 random bytes, 256 bits). The prefix lets
secret scanners find a leaked one; only its SHA-256 is kept, so the table is no list of
credentials. A fast hash is enough: the secret is random, not a password to guess.
"""

import hashlib
import secrets

PREFIX = "tms_pat_"
_RANDOM_BYTES = 32
SECRET_LENGTH = len(PREFIX) + 43  # token_urlsafe(32): 43 characters, no padding
HINT_LENGTH = 4  # characters after the prefix shown in lists


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)


def looks_like_token(raw: str) -> bool:
    """Has the prefix: meant as a personal access token (valid or not)."""
    return raw.startswith(PREFIX)


def well_formed(raw: str) -> bool:
    """The prefix and the exact length: checked before hashing, so junk costs no query."""
    return len(raw) == SECRET_LENGTH and raw.startswith(PREFIX)


def secret_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def hint_of(raw: str) -> str:
    return raw[: len(PREFIX) + HINT_LENGTH]
