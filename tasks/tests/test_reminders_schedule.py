"""A task's reminders through the API: what they take, and when each fires (fire_at) as the task's
date, status, trash and owner's time zone change."""

import datetime

import pytest
from freezegun import freeze_time

from accounts.tests.factories import UserFactory
from tasks.models import Reminder, Task
from tasks.notifications.schedule import reschedule_owner
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"
NOW = "2027-01-01 12:00:00"


def detail(task_id: int) -> str:
    return f"/api/tasks/{task_id}/"


@pytest.fixture
def paris(db):
    return UserFactory(username="paris", time_zone="Europe/Paris")


@pytest.fixture
def api(paris):
    """A client of ``paris``, made while the clock is frozen (its token is valid then)."""
    with freeze_time(NOW):
        yield client_for(paris)


def create(client, **fields) -> dict:
    response = client.post(LIST, {"title": "remind me", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def fire_times(body: dict) -> list[str | None]:
    return [reminder["fire_at"] for reminder in body["reminders"]]


def test_reminders_are_answered_with_their_fire_times(api):
    body = create(
        api,
        due_date="2027-01-15",
        due_time="09:00",
        reminders=[{"before_minutes": 30}, {"at": "2027-01-14T20:00:00+01:00"}, {"before_minutes": 0}],
    )
    assert [(r["before_minutes"], r["at"]) for r in body["reminders"]] == [
        (30, None),
        (None, "2027-01-14T19:00:00Z"),
        (0, None),
    ]
    assert fire_times(body) == ["2027-01-15T07:30:00Z", "2027-01-14T19:00:00Z", "2027-01-15T08:00:00Z"]
    assert all(isinstance(reminder["id"], int) for reminder in body["reminders"])
    assert api.get(detail(body["id"])).json()["reminders"] == body["reminders"]
    listed = api.get(LIST).json()["results"][0]
    assert listed["reminders"] == body["reminders"]


def test_a_date_without_a_time_is_reminded_of_from_nine_local(api):
    body = create(api, due_date="2027-07-15", reminders=[{"before_minutes": 60}])
    assert fire_times(body) == ["2027-07-15T06:00:00Z"]  # 09:00 summer time in Paris, less an hour


def test_without_a_due_date_nothing_is_scheduled(api):
    body = create(api, reminders=[{"before_minutes": 10}, {"at": "2027-01-14T20:00:00Z"}])
    assert fire_times(body) == [None, None]
    dated = api.patch(detail(body["id"]), {"due_date": "2027-01-20"}, format="json").json()
    assert fire_times(dated) == ["2027-01-20T07:50:00Z", "2027-01-14T20:00:00Z"]


def test_a_due_moment_already_past_is_not_reminded_of(api):
    body = create(api, due_date="2026-12-30", due_time="09:00", reminders=[{"before_minutes": 10}])
    assert fire_times(body) == [None]


@pytest.mark.parametrize(
    ("reminders", "says"),
    [
        ([{"before_minutes": 5}] * 3 + [{"before_minutes": n} for n in range(6, 9)], "at most 5"),
        ([{"before_minutes": 5, "at": "2027-01-14T20:00:00Z"}], "either"),
        ([{}], "either"),
        ([{"before_minutes": -1}], "greater than or equal to 0"),
        ([{"before_minutes": 40_321}], "less than or equal to 40320"),
        ([{"before_minutes": True}], "whole number"),
        ([{"before_minutes": "soon"}], "valid integer"),
        ([{"at": "2027-01-14T20:00:00"}], "offset"),
        ([{"at": "tomorrow"}], "wrong format"),
        ([{"every": 5}], "every"),
        ({"before_minutes": 5}, "list"),
        (["5"], "dictionary"),
    ],
)
def test_bad_reminders_are_400_and_change_nothing(api, paris, reminders, says):
    task = create(api, due_date="2027-01-15", reminders=[{"before_minutes": 15}])
    response = api.patch(detail(task["id"]), {"reminders": reminders}, format="json")
    assert response.status_code == 400
    assert says in str(response.json()["error"]["fields"]["reminders"])
    assert list(Reminder.objects.filter(task_id=task["id"]).values_list("before_minutes", flat=True)) == [15]
    response = api.post(LIST, {"title": "x", "reminders": reminders}, format="json")
    assert response.status_code == 400
    assert Task.objects.filter(owner=paris).count() == 1


def test_giving_the_list_replaces_the_reminders_and_keeps_those_that_stay(api):
    task = create(api, due_date="2027-01-15", reminders=[{"before_minutes": 15}, {"before_minutes": 60}])
    kept_id = task["reminders"][0]["id"]
    body = api.patch(
        detail(task["id"]), {"reminders": [{"before_minutes": 15}, {"before_minutes": 5}]}, format="json"
    ).json()
    assert [r["before_minutes"] for r in body["reminders"]] == [15, 5]
    assert body["reminders"][0]["id"] == kept_id
    assert body["version"] == task["version"] + 1
    history = api.get(f"/api/tasks/{task['id']}/history/").json()["results"]
    assert {
        "reminders": [
            [{"before_minutes": 15}, {"before_minutes": 60}],
            [{"before_minutes": 15}, {"before_minutes": 5}],
        ]
    } in [entry["changes"] for entry in history]
    # leaving the list out changes nothing; an empty list removes them all
    assert len(api.patch(detail(task["id"]), {"title": "renamed"}, format="json").json()["reminders"]) == 2
    assert api.patch(detail(task["id"]), {"reminders": []}, format="json").json()["reminders"] == []
    assert not Reminder.objects.filter(task_id=task["id"]).exists()


def test_a_re_dated_task_is_reminded_at_its_new_time_only(api):
    task = create(api, due_date="2027-01-15", due_time="09:00", reminders=[{"before_minutes": 30}])
    # the reminder was sent for 15 January (as the worker records it)
    Reminder.objects.filter(task_id=task["id"]).update(
        fired_for=datetime.datetime(2027, 1, 15, 8, 0, tzinfo=datetime.UTC), fire_at=None
    )
    moved = api.patch(
        detail(task["id"]), {"due_date": "2027-01-20", "due_time": "10:00"}, format="json"
    ).json()
    assert fire_times(moved) == ["2027-01-20T08:30:00Z"]
    # moved back to the moment already reminded of: not again
    back = api.patch(
        detail(task["id"]), {"due_date": "2027-01-15", "due_time": "09:00"}, format="json"
    ).json()
    assert fire_times(back) == [None]


def test_a_sent_reminder_at_a_moment_is_not_sent_again(api):
    task = create(api, due_date="2027-01-15", reminders=[{"at": "2027-01-10T08:00:00Z"}])
    Reminder.objects.filter(task_id=task["id"]).update(
        fired_for=datetime.datetime(2027, 1, 15, 8, 0, tzinfo=datetime.UTC), fire_at=None
    )
    moved = api.patch(detail(task["id"]), {"due_date": "2027-01-16"}, format="json").json()
    assert fire_times(moved) == [None]


def test_completing_and_reopening_stop_and_restart_the_reminders(api):
    task = create(api, due_date="2027-01-15", due_time="09:00", reminders=[{"before_minutes": 30}])
    done = api.post(f"/api/tasks/{task['id']}/complete/").json()
    assert fire_times(done) == [None]
    reopened = api.post(f"/api/tasks/{task['id']}/reopen/").json()
    assert fire_times(reopened) == ["2027-01-15T07:30:00Z"]
    moved = api.post(f"/api/tasks/{task['id']}/move/", {"status": "done"}, format="json").json()
    assert fire_times(moved) == [None]


def test_completing_a_repeating_task_reminds_of_its_next_occurrence(api):
    task = create(
        api,
        due_date="2027-01-15",
        due_time="09:00",
        recurrence="FREQ=WEEKLY",
        reminders=[{"before_minutes": 30}],
    )
    Reminder.objects.filter(task_id=task["id"]).update(
        fired_for=datetime.datetime(2027, 1, 15, 8, 0, tzinfo=datetime.UTC), fire_at=None
    )
    body = api.post(f"/api/tasks/{task['id']}/complete/").json()
    assert (body["due_date"], fire_times(body)) == ("2027-01-22", ["2027-01-22T07:30:00Z"])


def test_trash_and_restore_stop_and_restart_the_reminders_of_the_task_and_its_sub_tasks(api):
    parent = create(api, due_date="2027-01-15", reminders=[{"before_minutes": 0}])
    child = create(api, parent=parent["id"], due_date="2027-01-16", reminders=[{"before_minutes": 0}])
    assert api.delete(detail(parent["id"])).status_code == 204
    assert list(Reminder.objects.values_list("fire_at", flat=True)) == [None, None]
    assert api.post(f"/api/tasks/{parent['id']}/restore/").status_code == 200
    assert fire_times(api.get(detail(child["id"])).json()) == ["2027-01-16T08:00:00Z"]
    assert fire_times(api.get(detail(parent["id"])).json()) == ["2027-01-15T08:00:00Z"]


@pytest.mark.parametrize(("action", "value"), [("trash", None), ("complete", None), ("set_status", "done")])
def test_bulk_actions_stop_the_reminders(api, action, value):
    task = create(api, due_date="2027-01-15", reminders=[{"before_minutes": 0}])
    body = {"ids": [task["id"]], "action": action, **({"value": value} if value else {})}
    assert api.post("/api/tasks/bulk/", body, format="json").status_code == 200
    assert Reminder.objects.get(task_id=task["id"]).fire_at is None
    undo = {"trash": "restore", "complete": "reopen", "set_status": "reopen"}[action]
    assert (
        api.post("/api/tasks/bulk/", {"ids": [task["id"]], "action": undo}, format="json").status_code == 200
    )
    assert Reminder.objects.get(task_id=task["id"]).fire_at == datetime.datetime(
        2027, 1, 15, 8, tzinfo=datetime.UTC
    )


def test_a_changed_time_zone_moves_the_fire_times(api, paris):
    timed = create(api, due_date="2027-01-15", due_time="09:00", reminders=[{"before_minutes": 30}])
    dated = create(api, due_date="2027-01-15", reminders=[{"before_minutes": 30}])
    paris.time_zone = "America/New_York"
    paris.save(update_fields=["time_zone"])
    reschedule_owner(paris.pk)
    assert fire_times(api.get(detail(timed["id"])).json()) == ["2027-01-15T13:30:00Z"]
    assert fire_times(api.get(detail(dated["id"])).json()) == ["2027-01-15T13:30:00Z"]


def test_someone_elses_task_reminders_are_404(api, db):
    stranger = UserFactory(username="stranger")
    theirs = TaskFactory(owner=stranger, due_date=datetime.date(2027, 1, 15))
    response = api.patch(detail(theirs.pk), {"reminders": [{"before_minutes": 5}]}, format="json")
    assert response.status_code == 404
    assert not Reminder.objects.exists()


# -- assigning: the people newly assigned are told (tasks.notifications.activity) --------------------
def test_only_the_newly_assigned_are_told_and_never_the_one_who_assigned(team):
    from tasks.models import Notification

    admin = team.client("admin")
    task = create(admin, project=team.project.pk, assignees=[team.editor.pk, team.admin.pk])
    told = Notification.objects.filter(kind=Notification.Kind.ASSIGNED, task_id=task["id"])
    assert sorted(told.values_list("user_id", flat=True)) == [team.editor.pk]
    response = admin.patch(
        detail(task["id"]), {"assignees": [team.editor.pk, team.admin.pk, team.viewer.pk]}, format="json"
    )
    assert response.status_code == 200
    assert sorted(told.values_list("user_id", flat=True)) == sorted([team.editor.pk, team.viewer.pk])
    assert all(note.actor_id == team.admin.pk for note in told)
