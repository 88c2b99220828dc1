"""Changes that reach many tasks at once move their due moments and reminders too: a project to the
trash and back, a project handed to a member in another time zone, a time zone changed in the admin."""

import pytest
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.models import Project, ProjectMember, Reminder
from tasks.tests.factories import ProjectFactory
from tasks.tests.test_handover import delete_account, join
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

NOW = "2027-01-01 12:00:00"


def create_in(client, project: Project, **fields) -> dict:
    response = client.post(
        "/api/tasks/",
        {"title": "standup", "project": project.pk, "due_date": "2027-01-15", "due_time": "09:00", **fields},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def seen(client, task_id: int) -> dict:
    response = client.get(f"/api/tasks/{task_id}/")
    assert response.status_code == 200, response.content
    return response.json()


@freeze_time(NOW)
def test_a_project_in_the_trash_reminds_of_nothing_until_it_is_restored():
    owner = UserFactory(username="paris", time_zone="Europe/Paris")
    project = ProjectFactory(owner=owner, name="Launch")
    client = client_for(owner)
    task = create_in(client, project, reminders=[{"before_minutes": 15}])
    assert task["reminders"][0]["fire_at"] == "2027-01-15T07:45:00Z"

    assert client.delete(f"/api/tasks/projects/{project.pk}/").status_code == 204
    # A project's tasks go to the trash inside it (the trash lists the project, not them).
    assert list(Reminder.objects.filter(task_id=task["id"]).values_list("fire_at", flat=True)) == [None]

    assert client.post(f"/api/tasks/projects/{project.pk}/restore/").status_code == 200
    assert seen(client, task["id"])["reminders"][0]["fire_at"] == "2027-01-15T07:45:00Z"


@freeze_time(NOW)
def test_a_project_handed_over_keeps_its_local_times_in_the_heirs_zone():
    owner = UserFactory(username="paris", time_zone="Europe/Paris")
    heir = UserFactory(username="newyork", time_zone="America/New_York")
    project = ProjectFactory(owner=owner, name="Launch")
    join(project, heir, "admin", days_ago=3)
    task = create_in(client_for(owner), project, reminders=[{"before_minutes": 0}])
    assert task["due_at"] == "2027-01-15T08:00:00Z"

    assert delete_account(owner).status_code == 204

    assert ProjectMember.objects.get(project=project, user=heir).role == "owner"
    after = seen(client_for(heir), task["id"])
    assert (after["due_date"], after["due_time"]) == ("2027-01-15", "09:00")
    assert after["due_at"] == "2027-01-15T14:00:00Z"  # 09:00 in New York
    assert after["reminders"][0]["fire_at"] == "2027-01-15T14:00:00Z"


@freeze_time(NOW)
def test_a_time_zone_changed_in_the_admin_moves_due_moments(client):
    owner = UserFactory(username="paris", time_zone="Europe/Paris")
    project = ProjectFactory(owner=owner, name="Launch")
    task = create_in(client_for(owner), project, reminders=[{"before_minutes": 30}])
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    form = {
        "username": owner.username,
        "email": owner.email,
        "display_name": "",
        "time_zone": "Asia/Tokyo",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }

    response = client.post(f"/admin/accounts/user/{owner.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    owner.refresh_from_db()
    after = seen(client_for(owner), task["id"])
    assert after["due_at"] == "2027-01-15T00:00:00Z"  # 09:00 in Tokyo
    assert after["reminders"][0]["fire_at"] == "2027-01-14T23:30:00Z"
