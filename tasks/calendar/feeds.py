"""A person's calendar feed: made (replacing the one before), looked at, revoked, and fetched.

Only the hash of the token is stored (tasks.calendar.tokens); the token itself exists in the
answer to the request that made it and in the person's calendar application, nowhere else.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tasks.calendar import tokens
from tasks.calendar.models import CalendarFeed

# A feed's last use is written at most this often: calendar applications poll, and every poll
# writing a row would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewFeed:
    url: str
    created_at: datetime


def feed_url(token: str) -> str:
    return f"{settings.TMS_PUBLIC_URL}/api/tasks/calendar/{token}.ics"


def feed_create(*, user_id: int) -> NewFeed:
    """A new feed for the person; the previous one's URL stops working at once."""
    token = tokens.new_token()
    now = timezone.now()
    # One row per person (unique user): an update replaces the hash, so two requests at the same
    # moment leave one feed, the last one's, and never fail on the unique key.
    feed, _ = CalendarFeed.objects.update_or_create(
        user_id=user_id,
        defaults={"token_hash": tokens.token_hash(token), "created_at": now, "last_used_at": None},
    )
    return NewFeed(url=feed_url(token), created_at=feed.created_at)


def feed_of(user_id: int) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user_id=user_id).first()


def feed_revoke(*, user_id: int) -> None:
    """No feed afterwards, whether there was one or not."""
    CalendarFeed.objects.filter(user_id=user_id).delete()


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed this token opens, or None (unknown, replaced or revoked)."""
    if not tokens.looks_like_token(token):
        return None
    return CalendarFeed.objects.filter(token_hash=tokens.token_hash(token)).first()


def feed_touch(feed: CalendarFeed) -> None:
    """Record a fetch, at most once per LAST_USED_RESOLUTION (no query when recorded recently)."""
    now = timezone.now()
    if feed.last_used_at is not None and now - feed.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so that fetches racing on several workers write once between them.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    CalendarFeed.objects.filter(Q(pk=feed.pk) & stale).update(last_used_at=now)
    feed.last_used_at = now
