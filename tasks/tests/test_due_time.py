"""A task's due time: in its owner's time zone, as a moment (due_at), across summer time, in lists,
filters, counts, exports and imports, and when the owner moves to another time zone."""

import datetime
import json

import pytest
from django.test import Client
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory
from tasks.models import Task
from tasks.tests.factories import ProjectFactory, ProjectMemberFactory, TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def detail(task_id: int) -> str:
    return f"/api/tasks/{task_id}/"


def create(client, **fields) -> dict:
    response = client.post(LIST, {"title": "due", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def person(zone: str, name: str):
    return UserFactory(username=name, time_zone=zone)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Paris", "2027-01-15", "2027-01-15T08:00:00Z"),  # winter, UTC+1
        ("Europe/Paris", "2027-07-15", "2027-07-15T07:00:00Z"),  # summer, UTC+2
        ("America/New_York", "2027-01-15", "2027-01-15T14:00:00Z"),
        ("America/New_York", "2027-07-15", "2027-07-15T13:00:00Z"),
        ("UTC", "2027-01-15", "2027-01-15T09:00:00Z"),
    ],
)
def test_due_at_is_the_owners_local_time_as_a_moment(zone, day, expected):
    owner = person(zone, "someone")
    client = client_for(owner)
    body = create(client, due_date=day, due_time="09:00")
    assert (body["due_date"], body["due_time"], body["due_at"]) == (day, "09:00", expected)
    assert client.get(detail(body["id"])).json()["due_at"] == expected
    assert Task.objects.get(pk=body["id"]).due_at.isoformat().startswith(expected[:-1])


def test_a_date_without_a_time_has_no_due_at(owner_client):
    body = create(owner_client, due_date="2027-01-15")
    assert (body["due_time"], body["due_at"]) == (None, None)


@pytest.mark.parametrize(
    ("zone", "before", "after", "at_before", "at_after"),
    [
        # Paris: summer time starts on 28 March 2027 and ends on 31 October 2027
        ("Europe/Paris", "2027-03-27", "2027-03-28", "2027-03-27T08:00:00Z", "2027-03-28T07:00:00Z"),
        ("Europe/Paris", "2027-10-30", "2027-10-31", "2027-10-30T07:00:00Z", "2027-10-31T08:00:00Z"),
        # New York: from 14 March 2027 to 7 November 2027
        ("America/New_York", "2027-03-13", "2027-03-14", "2027-03-13T14:00:00Z", "2027-03-14T13:00:00Z"),
        ("America/New_York", "2027-11-06", "2027-11-07", "2027-11-06T13:00:00Z", "2027-11-07T14:00:00Z"),
    ],
)
def test_a_daily_task_stays_at_nine_local_across_summer_time(zone, before, after, at_before, at_after):
    owner = person(zone, "traveller")
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        task = create(client, due_date=before, due_time="09:00", recurrence="FREQ=DAILY")
        assert task["due_at"] == at_before
        body = client.post(f"/api/tasks/{task['id']}/complete/").json()
    assert (body["due_date"], body["due_time"], body["due_at"]) == (after, "09:00", at_after)


def test_a_time_skipped_by_summer_time_lands_after_the_gap():
    owner = person("Europe/Paris", "early")
    body = create(client_for(owner), due_date="2027-03-28", due_time="02:30")
    assert body["due_at"] == "2027-03-28T01:30:00Z"  # 03:30 summer time


@pytest.mark.parametrize("value", ["9am", "24:00", "09:60", "", 900, "09:00:00"])
def test_a_bad_due_time_is_400(owner_client, owner, value):
    response = owner_client.post(
        LIST, {"title": "x", "due_date": "2027-01-15", "due_time": value}, format="json"
    )
    assert response.status_code == 400
    assert "due_time" in response.json()["error"]["fields"]
    assert not Task.objects.filter(owner=owner).exists()


def test_a_due_time_needs_a_due_date(owner_client, owner):
    response = owner_client.post(LIST, {"title": "x", "due_time": "09:00"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["due_time"] == ["A due time needs a due date."]
    task = create(owner_client)
    response = owner_client.patch(detail(task["id"]), {"due_time": "09:00"}, format="json")
    assert response.status_code == 400
    assert Task.objects.get(pk=task["id"]).due_time is None


def test_a_time_can_be_added_changed_and_is_cleared_with_the_date():
    owner = person("Europe/Paris", "planner")
    client = client_for(owner)
    task = create(client, due_date="2027-01-15")
    timed = client.patch(detail(task["id"]), {"due_time": "18:30"}, format="json").json()
    assert (timed["due_time"], timed["due_at"]) == ("18:30", "2027-01-15T17:30:00Z")
    moved = client.patch(detail(task["id"]), {"due_date": "2027-07-01"}, format="json").json()
    assert (moved["due_time"], moved["due_at"]) == ("18:30", "2027-07-01T16:30:00Z")
    cleared = client.patch(detail(task["id"]), {"due_date": None}, format="json").json()
    assert (cleared["due_date"], cleared["due_time"], cleared["due_at"]) == (None, None, None)
    history = client.get(f"/api/tasks/{task['id']}/history/").json()["results"]
    assert {"due_time": [None, "18:30"]} in [entry["changes"] for entry in history]


def test_a_project_task_is_due_in_the_project_owners_time_zone():
    boss = person("Europe/Paris", "boss")
    project = ProjectFactory(owner=boss)
    editor = person("America/New_York", "editor")
    ProjectMemberFactory(project=project, user=editor)
    body = create(client_for(editor), project=project.pk, due_date="2027-01-15", due_time="09:00")
    assert body["due_at"] == "2027-01-15T08:00:00Z"


def test_moving_a_task_to_another_owners_project_follows_that_owners_time_zone():
    mover = person("America/New_York", "mover")
    boss = person("Europe/Paris", "boss")
    project = ProjectFactory(owner=boss)
    ProjectMemberFactory(project=project, user=mover)
    client = client_for(mover)
    parent = create(client, due_date="2027-01-15", due_time="09:00")
    child = create(client, parent=parent["id"], due_date="2027-01-16", due_time="10:00")
    assert parent["due_at"] == "2027-01-15T14:00:00Z"
    moved = client.patch(detail(parent["id"]), {"project": project.pk}, format="json").json()
    assert moved["due_at"] == "2027-01-15T08:00:00Z"
    assert client.get(detail(child["id"])).json()["due_at"] == "2027-01-16T09:00:00Z"


@freeze_time("2027-01-15 10:00:00")
def test_overdue_counts_a_timed_task_once_its_moment_has_passed(owner):
    client = client_for(owner)
    past_time = create(client, title="09:00 today", due_date="2027-01-15", due_time="09:00")
    later = create(client, title="11:00 today", due_date="2027-01-15", due_time="11:00")
    today = create(client, title="today", due_date="2027-01-15")
    yesterday = create(client, title="yesterday", due_date="2027-01-14")
    create(client, title="done", due_date="2027-01-14", due_time="08:00", status="done")
    create(client, title="undated")
    overdue = {task["id"] for task in client.get(LIST, {"overdue": "true"}).json()["results"]}
    assert overdue == {past_time["id"], yesterday["id"]}
    not_overdue = {task["title"] for task in client.get(LIST, {"overdue": "false"}).json()["results"]}
    assert not_overdue == {"11:00 today", "today", "done", "undated"}
    stats = client.get("/api/tasks/stats/").json()
    assert (stats["overdue"], stats["due_today"]) == (2, 2)
    assert {later["id"], today["id"]}.isdisjoint(overdue)


def test_a_list_page_stays_three_queries_with_times_rules_and_reminders(owner, assert_queries):
    client = client_for(owner)
    for day in range(1, 11):
        create(
            client,
            due_date=f"2027-01-{day:02}",
            due_time="09:00",
            recurrence="FREQ=WEEKLY;BYDAY=MO,FR",
            reminders=[{"before_minutes": 30}, {"at": "2027-01-01T08:00:00+01:00"}],
        )
    with assert_queries(3):
        results = client.get(LIST).json()["results"]
    assert len(results) == 10
    assert all(len(task["reminders"]) == 2 for task in results)
    assert {task["recurrence_text"] for task in results} == {"every week on Monday and Friday"}


def sign_in(user) -> APIClient:
    response = Client().post(
        "/api/auth/login/",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_changing_the_time_zone_moves_the_due_moments_of_the_tasks_one_owns():
    owner = person("Europe/Paris", "mover")
    client = client_for(owner)
    timed = create(client, due_date="2027-01-15", due_time="09:00")
    dated = create(client, due_date="2027-01-15")
    someone_else = person("Europe/Paris", "other")
    theirs = create(client_for(someone_else), due_date="2027-01-15", due_time="09:00")
    response = sign_in(owner).patch("/api/auth/me/", {"time_zone": "America/New_York"}, format="json")
    assert response.status_code == 200
    assert client.get(detail(timed["id"])).json()["due_at"] == "2027-01-15T14:00:00Z"
    assert client.get(detail(dated["id"])).json()["due_at"] is None
    assert client_for(someone_else).get(detail(theirs["id"])).json()["due_at"] == "2027-01-15T08:00:00Z"


def test_export_and_import_carry_time_rule_and_reminders():
    owner = person("Europe/Paris", "exporter")
    with freeze_time("2027-01-01 12:00:00"):
        client = client_for(owner)
        task = create(
            client,
            due_date="2027-01-31",
            due_time="09:00",
            recurrence="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
            recurrence_basis="completion",
            reminders=[{"before_minutes": 15}, {"at": "2027-01-30T18:00:00+01:00"}],
        )
        client.post(f"/api/tasks/{task['id']}/complete/")
        response = client.get("/api/tasks/export/")
        document = json.loads(b"".join(response.streaming_content))
        row = document["tasks"][0]
        assert (row["due_time"], row["recurrence"], row["recurrence_done"]) == (
            "09:00",
            "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
            1,
        )
        assert row["reminders"] == [{"before_minutes": 15}, {"at": "2027-01-30T17:00:00+00:00"}]
        newcomer = person("America/New_York", "importer")
        newcomer_client = client_for(newcomer)
        assert newcomer_client.post("/api/tasks/import/", document, format="json").status_code == 201
        imported = newcomer_client.get(LIST).json()["results"][0]
        history = newcomer_client.get(f"/api/tasks/{imported['id']}/history/").json()["results"]
        entry = next(item["changes"] for item in history if item["kind"] == "imported")
        assert (entry["due_time"], entry["recurrence_basis"]) == ("09:00", "completion")
    assert (imported["due_date"], imported["due_time"], imported["due_at"]) == (
        "2027-02-28",
        "09:00",
        "2027-02-28T14:00:00Z",
    )
    assert (imported["recurrence"], imported["recurrence_basis"]) == (
        "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
        "completion",
    )
    assert [(r["before_minutes"], r["at"]) for r in imported["reminders"]] == [
        (15, None),
        (None, "2027-01-30T17:00:00Z"),
    ]
    assert imported["reminders"][0]["fire_at"] == "2027-02-28T13:45:00Z"
    # one occurrence was done before the export: the count goes on from there
    assert Task.objects.get(pk=imported["id"]).recurrence_done == 1


def test_an_import_row_with_a_time_and_no_date_is_400(owner_client, owner):
    document = {"tasks": [{"title": "x", "due_time": "09:00"}, {"title": "y", "recurrence": "FREQ=DAILY"}]}
    response = owner_client.post("/api/tasks/import/", document, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]["tasks"]
    assert "due_time" in fields["0"] and "recurrence" in fields["1"]
    assert not Task.objects.filter(owner=owner).exists()


def admin_form(task: Task, **fields) -> dict:
    """The admin's change form for ``task`` as a staff member posts it, with ``fields`` changed."""
    return {
        "owner": task.owner_id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date": task.due_date.isoformat() if task.due_date else "",
        "due_time": task.due_time.strftime("%H:%M") if task.due_time else "",
        "recurrence": task.recurrence,
        "recurrence_basis": task.recurrence_basis,
        "project": "",
        "parent": "",
        "labels": [],
        "assignees": [],
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        **fields,
    }


def test_staff_set_a_time_and_a_rule_through_the_services(client):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    owner = person("Europe/Paris", "owned")
    task = TaskFactory(owner=owner, due_date=datetime.date(2027, 1, 15))
    url = f"/admin/tasks/task/{task.pk}/change/"
    response = client.post(url, admin_form(task, due_time="09:00", recurrence="freq=monthly;bymonthday=-1"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.due_at.isoformat(), task.recurrence) == (
        "2027-01-15T08:00:00+00:00",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
    )
    assert task.events.get(kind="updated").actor_id == staff.pk
    page = client.get(url).content.decode()
    assert "every month on the last day" in page
    # a rule TMS does not take, or a time without a date, is a form error and changes nothing
    refused = client.post(url, admin_form(task, recurrence="FREQ=HOURLY"))
    assert (
        refused.status_code == 200 and "FREQ is DAILY, WEEKLY, MONTHLY or YEARLY" in refused.content.decode()
    )
    refused = client.post(url, admin_form(task, due_date="", recurrence=""))
    assert refused.status_code == 200 and "A due time needs a due date." in refused.content.decode()
    task.refresh_from_db()
    assert (task.recurrence, task.due_date.isoformat()) == ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-15")
