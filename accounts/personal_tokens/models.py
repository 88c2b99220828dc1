"""A personal access token: what a script presents as ``Authorization: Bearer tms_pat_...``.

Only the SHA-256 of the secret is stored (``token_hash``); the secret itself is shown once,
when the token is made. ``scopes`` lists what the token may do (tms_project.personal_tokens.scopes);
``project`` optionally confines it to one project's tasks. Registered with the accounts app
from accounts.models.
"""

from django.conf import settings
from django.db import models


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters after the prefix, to tell tokens apart in a list ("tms_pat_Ab3x…").
    hint = models.CharField(max_length=16)
    scopes = models.JSONField(default=list)
    # No foreign key across apps' lifetimes: a token for a project that is gone matches nothing.
    project_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "personal_access_tokens"
        indexes = [models.Index(fields=["user", "revoked_at"], name="pat_user_live_idx")]

    def __str__(self) -> str:
        return f"access token {self.pk} ({self.name}) of user {self.user_id}"
