"""A person's calendar feed: the hash of its secret, never the secret itself."""

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    # One live feed per person: making a new one replaces (revokes) the old one.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    # SHA-256 of the token in the URL (the token has 256 bits of entropy, so no slow hash is needed).
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "calendar_feeds"

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"
