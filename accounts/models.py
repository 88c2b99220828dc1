"""The TMS user: a username and an email, each unique regardless of case."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from accounts.usernames import username_key
from accounts.validators import validate_time_zone


class TmsUserManager(UserManager["User"]):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address is lower-cased so uniqueness holds on every database.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(username__iexact=username)


class User(AbstractUser):
    # Removing an inherited field (Django documents `= None`); the stubs type it as the field's value.
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # accounts.usernames.username_key(username): unique, so no two names look alike.
    username_key = models.CharField(max_length=150, unique=True, editable=False)

    objects: ClassVar[TmsUserManager] = TmsUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived from the username on every path that saves one (API, admin, createsuperuser).
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)


class AuthSession(models.Model):
    """One signed-in device: the chain of refresh tokens issued since a login.

    Each refresh rotates the token; ``refresh_jti`` names the only one that
    is still valid. Revoking the session ends that chain for good.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions")
    refresh_jti = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "auth_sessions"
        indexes = [
            models.Index(fields=["user", "revoked_at", "expires_at"], name="auth_sessions_user_live_idx"),
            models.Index(fields=["expires_at"], name="auth_sessions_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"


class OutgoingMail(models.Model):
    """A mail to send, written in the transaction of the change it tells about.

    The request that causes a mail only adds a row; ``accounts.services.mail``
    delivers it from a background thread of the auth service (or
    ``manage.py deliver_mail``), so no response waits on a mail server and the
    time a request takes does not depend on who the mail goes to. The payload
    names what to say, never a secret: links are signed when the mail is sent.
    """

    class State(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        SKIPPED = "skipped"  # nothing to send after all (e.g. no account has the address)
        FAILED = "failed"  # gave up after the last retry

    kind = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "outgoing_mail"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outgoing_mail_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind} mail {self.pk} ({self.state})"


# Credentials kept in subpackages, registered with this app here.
from accounts.personal_tokens.models import PersonalAccessToken  # noqa: E402
from accounts.two_factor.models import MFAChallenge, RecoveryCode, TOTPDevice  # noqa: E402

__all__ = [
    "AuthSession",
    "MFAChallenge",
    "OutgoingMail",
    "PersonalAccessToken",
    "RecoveryCode",
    "TOTPDevice",
    "User",
]
