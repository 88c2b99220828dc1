"""Secrets and signatures, per the Standard Webhooks specification (standardwebhooks.com).

A secret is ``whsec_`` + base64 of 32 random bytes; the signature header is
``v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">``, made by the
reference library itself so that any receiver using one of its libraries verifies it.
"""

import base64
import datetime
import secrets

from standardwebhooks import Webhook as Signer

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, message_id: str, body: str, now: datetime.datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` sent at ``now``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, now, body),
    }
