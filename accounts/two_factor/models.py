"""Second factors: a TOTP authenticator, recovery codes, and the sign-in challenge between the two steps.

``TOTPDevice.secret`` must be readable to check a code, so it is kept as is (base32);
``last_step`` is the TOTP time step of the last accepted code, so a code is accepted once.
A device counts only once ``confirmed_at`` is set (the person proved the app has it).
Recovery codes and challenge tokens are stored as SHA-256 hashes. Registered with the
accounts app from accounts.models.
"""

from django.conf import settings
from django.db import models


class TOTPDevice(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        db_table = "totp_devices"

    def __str__(self) -> str:
        return f"authenticator of user {self.user_id}"


class RecoveryCode(models.Model):
    COUNT = 10

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "recovery_codes"
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_codes_unique")]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of user {self.user_id}"


class MFAChallenge(models.Model):
    """A password that was right, waiting for the second factor: short-lived and used once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    # How the first step asked for the refresh token (cookie or body), so the second answers alike.
    use_cookie = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "mfa_challenges"
        indexes = [models.Index(fields=["expires_at"], name="mfa_challenges_expires_idx")]

    def __str__(self) -> str:
        return f"sign-in challenge {self.pk} of user {self.user_id}"
