"""Time-based one-time passwords (RFC 6238, pyotp): 30-second steps, 6 digits, one step of clock skew.

A code is accepted once: it names a time step, and a device accepts only a step
later than the last one it accepted (``TOTPDevice.last_step``). The step moves
forward with a conditional UPDATE, so two requests racing with the same code
cannot both pass.
"""

import re

import pyotp
from django.conf import settings
from django.utils import timezone

from accounts.two_factor.models import TOTPDevice

DIGITS = 6
INTERVAL = 30
# The steps either side of now that still count: a phone's clock a little off, a code typed late.
VALID_WINDOW = 1

_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A fresh secret: 32 base32 characters, 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, account_name: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads (from the QR code)."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    return totp.provisioning_uri(name=account_name, issuer_name=settings.TMS_TOTP_ISSUER)


def normalise_code(code: str) -> str:
    """Authenticator apps show ``123 456``; people paste it with the space."""
    return re.sub(r"[\s-]", "", code)


def looks_like_totp(code: str) -> bool:
    return bool(_CODE.match(normalise_code(code)))


def matching_step(*, secret: str, code: str) -> int | None:
    """The latest time step within the window whose code is ``code``, or None."""
    code = normalise_code(code)
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    now = totp.timecode(timezone.now())
    matched = None
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        # Every step is compared (constant time each), so timing tells nothing about which matched.
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            matched = step
    return matched


def totp_accept(*, device: TOTPDevice, code: str) -> bool:
    """True once for a right code; a replay (its step or an older one already accepted) is refused."""
    step = matching_step(secret=device.secret, code=code)
    if step is None:
        return False
    moved = TOTPDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step)
    if moved:
        device.last_step = step
    return moved == 1
