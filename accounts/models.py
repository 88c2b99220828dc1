"""The TMS user: a username and an email, each unique regardless of case."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from accounts.validators import validate_time_zone


class TmsUserManager(UserManager):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        # The whole address is lower-cased so uniqueness holds on every database.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(username__iexact=username)


class User(AbstractUser):
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    objects = TmsUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        constraints = [
            models.UniqueConstraint(Lower("username"), name="users_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

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
