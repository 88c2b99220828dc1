"""What a notification says, in English, for one reader: the list's sentence, a mail, a push message.

Rendered when read or sent, from the payload written when it happened (the task's title
then, who acted), in the reader's time zone: a reminder for a task due at 18:00 in
Berlin reads "17:00" to a colleague in London.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from tasks.notifications.models import Notification

Kind = Notification.Kind


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def due_phrase(payload: dict, time_zone: str | None) -> str:
    """ "at 14:00 on Saturday 5 December 2026 (Europe/Berlin)", "on Saturday 5 December 2026", or ""."""
    if payload.get("due_at") and not payload.get("all_day"):
        tz = zone(time_zone)
        moment = datetime.datetime.fromisoformat(payload["due_at"]).astimezone(tz)
        return f"at {moment:%H:%M} on {_day(moment.date())} ({tz.key})"
    if payload.get("due_date"):
        return f"on {_day(datetime.date.fromisoformat(payload['due_date']))}"
    return ""


def _actor(payload: dict) -> str:
    return payload.get("actor") or "Someone"


def sentence(note: Notification, time_zone: str | None) -> str:
    """One English sentence, as the notification list shows it."""
    payload = note.payload or {}
    title = payload.get("title", "")
    if note.kind == Kind.REMINDER:
        when = due_phrase(payload, time_zone)
        return f"\u201c{title}\u201d is due {when}." if when else f"Reminder: \u201c{title}\u201d."
    if note.kind == Kind.ASSIGNED:
        return f"{_actor(payload)} assigned you \u201c{title}\u201d."
    if note.kind == Kind.COMMENTED:
        return f"{_actor(payload)} commented on \u201c{title}\u201d."
    if note.kind == Kind.SHARED:
        return f"{_actor(payload)} added you to the project \u201c{payload.get('project_name', '')}\u201d."
    if note.kind == Kind.WEBHOOK_ADDED:
        return (
            f"A webhook now sends your task events to {payload.get('host', '')}. If you did not set it up,"
            " delete it in Settings → Webhooks and change your password."
        )
    if note.kind == Kind.WEBHOOK_DISABLED:
        return (
            f"Your webhook to {payload.get('host', '')} was turned off: {payload.get('reason', '')}"
            " Turn it on again once its receiver answers."
        )
    return ""


def link(note: Notification) -> str:
    if note.task_id is not None:
        return f"{settings.TMS_PUBLIC_URL}/tasks/{note.task_id}"
    if note.project_id is not None:
        return f"{settings.TMS_PUBLIC_URL}/projects/{note.project_id}"
    return f"{settings.TMS_PUBLIC_URL}/"


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str
    tag: str


def message(note: Notification, time_zone: str | None) -> Message:
    """A mail's subject and body, or a push message's title and body, with the link to open."""
    payload = note.payload or {}
    title = payload.get("title", "")
    subjects = {
        Kind.REMINDER: f"Reminder: {title}",
        Kind.ASSIGNED: f"You were assigned: {title}",
        Kind.COMMENTED: f"New comment on: {title}",
        Kind.SHARED: f"You were added to the project {payload.get('project_name', '')}",
        Kind.WEBHOOK_DISABLED: f"Webhook turned off: {payload.get('host', '')}",
        Kind.WEBHOOK_ADDED: f"Your task events now go to {payload.get('host', '')}",
    }
    if note.task_id:
        tag = f"task-{note.task_id}"
    elif note.kind in (Kind.WEBHOOK_DISABLED, Kind.WEBHOOK_ADDED):
        tag = f"webhook-{payload.get('webhook')}"
    else:
        tag = f"project-{note.project_id}"
    return Message(
        title=subjects.get(Kind(note.kind), "TMS"),
        body=sentence(note, time_zone),
        url=link(note),
        tag=f"{note.kind}-{tag}",
    )


def email_body(note: Notification, time_zone: str | None) -> str:
    said = message(note, time_zone)
    return (
        f"{said.body}\n\n"
        f"Open it in TMS: {said.url}\n\n"
        f"You receive this because of your notification settings in TMS; change them on your account page.\n"
    )
