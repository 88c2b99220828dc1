"""Reminders set through the API reach the worker at the right moment: a re-dated task is
reminded at its new time only, a completed one not at all; assigning through the API tells the
new assignee."""

import pytest
from django.core import mail
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.notifications.deliver import run_once
from tasks.notifications.models import Notification, Reminder
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", time_zone="Europe/Berlin")


def create(client, **fields) -> dict:
    response = client.post("/api/tasks/", {"title": "Call the bank", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_task_re_dated_through_the_api_is_reminded_at_the_new_time_only(ada):
    with freeze_time("2026-12-05 10:00:00"):
        client = client_for(ada)  # a token issued now, in the frozen time
        task = create(client, due_date="2026-12-05", due_time="12:00", reminders=[{"before_minutes": 30}])
        assert task["reminders"][0]["fire_at"].startswith("2026-12-05T10:30")
        moved = client.patch(f"/api/tasks/{task['id']}/", {"due_time": "15:00"}, format="json")
        assert moved.status_code == 200, moved.content
    with freeze_time("2026-12-05 10:31:00"):  # the old moment has passed
        assert run_once() == (0, 0)
        assert not Notification.objects.exists()
    with freeze_time("2026-12-05 13:30:00"):  # 15:00 Berlin is 14:00 UTC
        assert run_once() == (1, 1)
    [message] = mail.outbox
    assert (
        "\u201cCall the bank\u201d is due at 15:00 on Saturday 5 December 2026 (Europe/Berlin)."
        in message.body
    )
    with freeze_time("2026-12-05 14:30:00"):
        assert run_once() == (0, 0)
    assert len(mail.outbox) == 1


def test_a_task_completed_through_the_api_is_not_reminded(ada):
    with freeze_time("2026-12-05 10:00:00"):
        client = client_for(ada)  # a token issued now, in the frozen time
        task = create(client, due_date="2026-12-05", due_time="12:00", reminders=[{"before_minutes": 30}])
        assert client.post(f"/api/tasks/{task['id']}/complete/").status_code == 200
    with freeze_time("2026-12-05 10:30:00"):
        run_once()
    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert Reminder.objects.get().fire_at is None


def test_assigning_through_the_api_tells_the_assignee_not_the_actor(team):
    response = team.client("admin").post(
        "/api/tasks/",
        {"title": "Ship it", "project": team.project.pk, "assignees": [team.editor.pk, team.admin.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    items = team.client("editor").get("/api/tasks/notifications/").json()["results"]
    assert [(item["kind"], item["text"]) for item in items] == [
        ("assigned", "admin1 assigned you \u201cShip it\u201d.")
    ]
    assert team.client("admin").get("/api/tasks/notifications/").json()["results"] == []
