"""Recovery codes: ten single-use codes for when the authenticator is lost.

Each is ``xxxxx-xxxxx``: ten characters of Crockford's base32 alphabet (no i, l,
o or u), 50 bits. Only the SHA-256 of the normalised code is stored, so the codes
are shown once, when they are made. Normalising forgives what people do when
they type a code off paper: case, dashes, spaces, and o/i/l for 0/1/1.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.two_factor.models import RecoveryCode

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: 32 symbols, 5 bits each
LENGTH = 10
_LOOKALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})


def normalise(code: str) -> str:
    return "".join(code.lower().split()).replace("-", "").translate(_LOOKALIKES)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Drop the user's codes and make ``RecoveryCode.COUNT`` new ones; the only time they are readable."""
    RecoveryCode.objects.filter(user=user).delete()
    codes: list[str] = []
    while len(codes) < RecoveryCode.COUNT:
        code = _new_code()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash(code)) for code in codes)
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    """True once for each of the user's unused codes; the conditional UPDATE makes a race use it once."""
    if len(normalise(code)) != LENGTH:
        return False
    used = RecoveryCode.objects.filter(user=user, code_hash=code_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return used == 1


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
