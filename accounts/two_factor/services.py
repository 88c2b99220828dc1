"""Two-factor sign-in: enrolling an authenticator, confirming it, disabling it, recovery codes.

Enabling keeps every session the account has (the password is not asked again, so
an access token that fell into the wrong hands must not also be able to sign the
owner out everywhere); a person who suspects someone else is signed in ends those
sessions, or changes the password, which ends them all. Disabling and new recovery
codes need the password and a code. Log lines name the account, never a code or secret.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services.users import password_check
from accounts.two_factor.challenge import challenge_failed, challenge_use
from accounts.two_factor.errors import AlreadyEnabled, CodeInvalid, NotEnabled, NotEnrolled
from accounts.two_factor.models import MFAChallenge, RecoveryCode, TOTPDevice
from accounts.two_factor.recovery import recovery_code_use, recovery_codes_left, recovery_codes_replace
from accounts.two_factor.totp import looks_like_totp, new_secret, provisioning_uri, totp_accept

logger = logging.getLogger("tms.two_factor")


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    confirmed_at: datetime | None
    recovery_codes_left: int


def two_factor_enabled(*, user: User) -> bool:
    """Whether signing in to ``user`` takes a second factor (a confirmed authenticator)."""
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def two_factor_status(*, user: User) -> TwoFactorStatus:
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return TwoFactorStatus(enabled=False, confirmed_at=None, recovery_codes_left=0)
    return TwoFactorStatus(
        enabled=True, confirmed_at=device.confirmed_at, recovery_codes_left=recovery_codes_left(user=user)
    )


def _confirmed_device_for_update(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()


def second_factor_accept(*, user: User, code: str = "", recovery_code: str = "") -> bool:
    """True for a right TOTP code (once per time step) or an unused recovery code (then used).

    ``code`` may also hold a recovery code: what is not six digits is tried as one.
    """
    if code and looks_like_totp(code):
        device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
        return device is not None and totp_accept(device=device, code=code)
    candidate = recovery_code or code
    return bool(candidate) and recovery_code_use(user=user, code=candidate)


@transaction.atomic
def enrolment_start(*, user: User) -> Enrolment:
    """A new secret for an authenticator, not yet in force; replaces an unconfirmed one."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise AlreadyEnabled
    secret = new_secret()
    TOTPDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": None, "last_step": 0}
    )
    logger.info("two-factor enrolment started", extra={"user_id": user.pk})
    return Enrolment(secret=secret, otpauth_uri=provisioning_uri(secret=secret, account_name=user.username))


@transaction.atomic
def enrolment_confirm(*, user: User, password: str, code: str) -> list[str]:
    """Put the authenticator in force with the password and a code from it; returns the new recovery
    codes (shown once). The password keeps someone holding only a stolen access token from putting
    their own authenticator on the account and locking its owner out."""
    device = TOTPDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise NotEnrolled
    if device.confirmed_at is not None:
        raise AlreadyEnabled
    password_check(user=user, password=password, field="password")
    if not totp_accept(device=device, code=code):
        logger.info("two-factor enrolment code refused", extra={"user_id": user.pk})
        raise CodeInvalid
    device.confirmed_at = timezone.now()
    device.save(update_fields=["confirmed_at"])
    codes = recovery_codes_replace(user=user)
    logger.info("two-factor sign-in enabled", extra={"user_id": user.pk})
    return codes


def _reauthenticate(user: User, password: str, code: str) -> None:
    """The password, then a code: a wrong password is refused before any code is used up."""
    password_check(user=user, password=password, field="password")
    if not second_factor_accept(user=user, code=code):
        logger.info("two-factor code refused", extra={"user_id": user.pk})
        raise CodeInvalid


@transaction.atomic
def two_factor_disable(*, user: User, password: str, code: str) -> None:
    if _confirmed_device_for_update(user) is None:
        raise NotEnabled
    _reauthenticate(user, password, code)
    _remove(user)
    logger.info("two-factor sign-in disabled", extra={"user_id": user.pk})


@transaction.atomic
def recovery_codes_renew(*, user: User, password: str, code: str) -> list[str]:
    """Replace every recovery code (the old ones stop working)."""
    if _confirmed_device_for_update(user) is None:
        raise NotEnabled
    _reauthenticate(user, password, code)
    codes = recovery_codes_replace(user=user)
    logger.info("recovery codes replaced", extra={"user_id": user.pk})
    return codes


def _remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    MFAChallenge.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_reset(*, user: User) -> bool:
    """Staff's reset for a person who lost authenticator and recovery codes; True when there was one."""
    had = TOTPDevice.objects.filter(user=user).exists()
    _remove(user)
    if had:
        logger.info("two-factor sign-in reset by staff", extra={"user_id": user.pk})
    return had


def challenge_answer(*, challenge: MFAChallenge, code: str, recovery_code: str) -> bool:
    """The second step of a sign-in: True when the code is right and this request used the challenge.

    Runs in the caller's transaction, which holds the challenge's row (challenge_live);
    a wrong code is counted there, and the last allowed one spends the challenge.
    """
    user = challenge.user
    if second_factor_accept(user=user, code=code, recovery_code=recovery_code):
        if recovery_code or not looks_like_totp(code):
            logger.info("sign-in with a recovery code", extra={"user_id": user.pk})
        return challenge_use(challenge=challenge)
    logger.info("sign-in second factor refused", extra={"user_id": user.pk})
    challenge_failed(challenge=challenge)
    return False
