"""A person's own notifications, channel settings and push subscriptions: each query is scoped to
them, so another person's rows are never read, counted or changed."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tasks import access
from tasks.errors import QuotaExceeded
from tasks.notifications.models import Notification, NotificationSettings, PushSubscription
from tms_project.errors import Conflict, NotFound

MAX_SUBSCRIPTIONS = 10


class SubscriptionNotFound(NotFound):
    default_message = "You have no push subscription with this endpoint."


class SubscriptionRace(Conflict):
    default_message = "This browser subscribed twice at once; try again."


def notifications_of(user_id: int, *, unread: bool = False) -> QuerySet[Notification]:
    """The person's notifications about what they can still read.

    Someone removed from a project (or a task moved out of their reach) no longer sees what they
    were told about it, titles included: the notification stays, hidden, and shows again if they
    are added back. Still one query: the memberships are a subquery.
    """
    member_of = access.memberships(user_id).values("project_id")
    readable_task = Q(task__owner_id=user_id, task__project__isnull=True) | Q(task__project_id__in=member_of)
    about_project = Q(project__isnull=True) | Q(project_id__in=member_of)
    visible = Q(task__isnull=False) & readable_task | Q(task__isnull=True) & about_project
    rows = Notification.objects.filter(visible, user_id=user_id)
    return rows.filter(read_at__isnull=True) if unread else rows


def unread_count(user_id: int) -> int:
    return notifications_of(user_id, unread=True).count()


def mark_read(user_id: int, ids: list[int] | None) -> int:
    """Mark these (or, with None, all) of the person's unread notifications read; how many changed.

    Ids of other people's notifications match nothing, exactly like ids that do not exist.
    """
    rows = notifications_of(user_id, unread=True)
    if ids is not None:
        rows = rows.filter(pk__in=sorted(set(ids)))
    return rows.update(read_at=timezone.now())


def settings_of(user_id: int) -> NotificationSettings:
    """The person's row, or an unsaved one holding the defaults."""
    return NotificationSettings.objects.filter(user_id=user_id).first() or NotificationSettings(
        user_id=user_id
    )


@transaction.atomic
def settings_update(user_id: int, changes: dict[str, bool]) -> NotificationSettings:
    row, _ = NotificationSettings.objects.select_for_update().get_or_create(user_id=user_id)
    changed = [name for name, value in changes.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, changes[name])
    if changed:
        row.save(update_fields=[*changed, "updated_at"])
    return row


def push_public_key() -> str | None:
    # The task service holds only the public key (the worker, which signs, holds both).
    return settings.TMS_VAPID_PUBLIC_KEY or None


@transaction.atomic
def subscribe(user_id: int, *, endpoint: str, p256dh: str, auth: str, user_agent: str) -> PushSubscription:
    """Save a browser's subscription for this person (a browser that signs into another account
    moves its endpoint there); at most MAX_SUBSCRIPTIONS browsers each."""
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is None or existing.user_id != user_id:
        # Lock the person's rows so two browsers subscribing at once cannot both pass the count.
        mine = list(PushSubscription.objects.select_for_update().filter(user_id=user_id).values_list("pk"))
        if len(mine) >= MAX_SUBSCRIPTIONS:
            raise QuotaExceeded(
                f"Push reaches at most {MAX_SUBSCRIPTIONS} browsers per account; unsubscribe one first."
            )
    subscription = existing or PushSubscription(endpoint=endpoint)
    subscription.user_id = user_id
    subscription.p256dh, subscription.auth = p256dh, auth
    subscription.user_agent = user_agent[:255]
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError as exc:  # the same endpoint saved by a concurrent request
        raise SubscriptionRace from exc
    return subscription


def unsubscribe(user_id: int, endpoint: str) -> None:
    deleted, _ = PushSubscription.objects.filter(user_id=user_id, endpoint=endpoint).delete()
    if not deleted:
        raise SubscriptionNotFound
