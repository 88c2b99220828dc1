"""/api/tasks/notifications/: a person's own notifications, newest first, in pages; unread counts;
marking read; channel settings. Another person's notifications are invisible in every one."""

import datetime

import pytest

from accounts.tests.factories import UserFactory
from tasks.notifications.models import Notification, NotificationSettings
from tasks.tests.factories import ProjectMemberFactory, TaskFactory, project_task
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

URL = "/api/tasks/notifications/"


def told(user, kind="assigned", task=None, project=None, **payload) -> Notification:
    payload = {"title": task.title if task else "", "actor": "bob", **payload}
    return Notification.objects.create(user=user, kind=kind, task=task, project=project, payload=payload)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", time_zone="Europe/Berlin")


@pytest.fixture
def ada_client(ada):
    return client_for(ada)


def test_the_list_is_newest_first_with_a_sentence_each(ada, ada_client, team):
    task = TaskFactory(owner=ada, title="Pay rent")
    first = told(ada, "assigned", task)
    second = told(ada, "commented", task, actor="carol")
    ProjectMemberFactory(project=team.project, user=ada, role="viewer")
    third = told(ada, "shared", project=team.project, project_name="Launch")
    due = datetime.datetime(2026, 12, 5, 12, 30, tzinfo=datetime.UTC).isoformat()
    fourth = told(ada, "reminder", task, actor=None, due_at=due, all_day=False, due_date="2026-12-05")

    response = ada_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [fourth.pk, third.pk, second.pk, first.pk]
    assert [item["text"] for item in body["results"]] == [
        "\u201cPay rent\u201d is due at 13:30 on Saturday 5 December 2026 (Europe/Berlin).",
        "bob added you to the project \u201cLaunch\u201d.",
        "carol commented on \u201cPay rent\u201d.",
        "bob assigned you \u201cPay rent\u201d.",
    ]
    item = body["results"][2]
    assert set(item) == {"id", "kind", "task", "project", "actor", "text", "created_at", "read_at"}
    assert (item["kind"], item["task"], item["project"], item["actor"], item["read_at"]) == (
        "commented",
        task.pk,
        None,
        "carol",
        None,
    )
    assert body["results"][0]["actor"] is None
    assert body["results"][1]["project"] == team.project.pk


def test_pages_follow_the_cursor_without_repeats(ada, ada_client):
    notes = [told(ada) for _ in range(5)]
    first = ada_client.get(f"{URL}?page_size=2").json()
    second = ada_client.get(first["next"]).json()
    third = ada_client.get(second["next"]).json()
    ids = [item["id"] for page in (first, second, third) for item in page["results"]]
    assert ids == [note.pk for note in reversed(notes)]
    assert third["next"] is None


def test_unread_only(ada, ada_client):
    read = told(ada)
    unread = told(ada)
    Notification.objects.filter(pk=read.pk).update(read_at=datetime.datetime.now(datetime.UTC))
    items = ada_client.get(f"{URL}?unread=true").json()["results"]
    assert [item["id"] for item in items] == [unread.pk]
    assert len(ada_client.get(f"{URL}?unread=false").json()["results"]) == 2


@pytest.mark.parametrize("query", ["unread=maybe", "cursor=nonsense", "page_size=0", "unread="])
def test_bad_query_parameters_are_400(ada_client, query):
    response = ada_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_the_list_costs_one_query_however_many(ada, ada_client, django_assert_num_queries):
    task = TaskFactory(owner=ada)
    for _ in range(20):
        told(ada, task=task)
    with django_assert_num_queries(1):
        assert len(ada_client.get(URL).json()["results"]) == 20


def test_summary_and_marking_read_cost_one_query_each(ada, ada_client, django_assert_num_queries):
    for _ in range(5):
        told(ada)
    with django_assert_num_queries(1):
        assert ada_client.get(f"{URL}summary/").json() == {"unread": 5}
    with django_assert_num_queries(1):
        assert ada_client.post(f"{URL}read/", {"all": True}, format="json").json() == {"updated": 5}


def test_another_persons_notifications_are_invisible_and_unchangeable(ada, ada_client):
    bob = UserFactory(username="bob")
    theirs = told(bob)
    mine = told(ada)
    assert [item["id"] for item in ada_client.get(URL).json()["results"]] == [mine.pk]
    assert ada_client.get(f"{URL}summary/").json() == {"unread": 1}
    response = ada_client.post(f"{URL}read/", {"ids": [theirs.pk]}, format="json")
    assert response.json() == {"updated": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert ada_client.post(f"{URL}read/", {"all": True}, format="json").json() == {"updated": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(bob).get(f"{URL}summary/").json() == {"unread": 1}


def test_marking_read_by_ids_and_all(ada, ada_client):
    notes = [told(ada) for _ in range(3)]
    assert ada_client.post(f"{URL}read/", {"ids": [notes[0].pk, notes[0].pk]}, format="json").json() == {
        "updated": 1
    }
    assert ada_client.get(f"{URL}summary/").json() == {"unread": 2}
    # marking it again changes nothing
    assert ada_client.post(f"{URL}read/", {"ids": [notes[0].pk]}, format="json").json() == {"updated": 0}
    assert ada_client.post(f"{URL}read/", {"all": True}, format="json").json() == {"updated": 2}
    assert ada_client.get(f"{URL}summary/").json() == {"unread": 0}
    items = ada_client.get(URL).json()["results"]
    assert all(item["read_at"] is not None for item in items)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ids": []},
        {"ids": [1], "all": True},
        {"all": False},
        {"all": "true"},
        {"ids": ["x"]},
        {"ids": list(range(1, 102))},
        {"id": [1]},
        [],
    ],
)
def test_bad_read_requests_are_400_and_change_nothing(ada, ada_client, body):
    told(ada)
    before = database_snapshot()
    response = ada_client.post(f"{URL}read/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert database_snapshot() == before


def test_settings_have_defaults_and_change_field_by_field(ada, ada_client):
    url = f"{URL}settings/"
    assert ada_client.get(url).json() == {
        "email_reminders": True,
        "push_reminders": True,
        "email_activity": False,
        "push_activity": True,
    }
    response = ada_client.patch(url, {"email_activity": True, "push_reminders": False}, format="json")
    assert response.status_code == 200
    expected = {
        "email_reminders": True,
        "push_reminders": False,
        "email_activity": True,
        "push_activity": True,
    }
    assert response.json() == expected
    assert ada_client.get(url).json() == expected
    row = NotificationSettings.objects.get(user=ada)
    assert (row.push_reminders, row.email_activity) == (False, True)
    # another person still has the defaults
    assert client_for(UserFactory(username="carl")).get(url).json()["email_activity"] is False


@pytest.mark.parametrize(
    "body", [{"email_activity": 1}, {"email_activity": "true"}, {"email": True}, {"push_activity": None}]
)
def test_bad_settings_are_400_and_change_nothing(ada, ada_client, body):
    before = database_snapshot()
    response = ada_client.patch(f"{URL}settings/", body, format="json")
    assert response.status_code == 400
    assert database_snapshot() == before


def test_a_notification_about_a_project_task_links_to_the_task(team):
    task = project_task(team.project, title="Ship")
    note = told(team.viewer, "assigned", task, project=team.project)
    items = team.client("viewer").get(URL).json()["results"]
    assert (
        items[0]["id"] == note.pk and items[0]["task"] == task.pk and items[0]["project"] == team.project.pk
    )


def test_without_a_token_401(client):
    assert client.get(URL).status_code == 401


def test_what_was_said_about_a_project_hides_once_the_person_leaves_it(ada, ada_client, team):
    membership = ProjectMemberFactory(project=team.project, user=ada, role="editor")
    task = project_task(team.project, title="Launch plan")
    told(ada, "shared", project=team.project, project_name="Launch")
    told(ada, "assigned", task)
    told(ada, "commented", TaskFactory(owner=ada, title="Own errand"), actor="carol")
    assert ada_client.get(f"{URL}summary/").json() == {"unread": 3}

    membership.delete()

    texts = [item["text"] for item in ada_client.get(URL).json()["results"]]
    assert texts == ["carol commented on \u201cOwn errand\u201d."]
    assert ada_client.get(f"{URL}summary/").json() == {"unread": 1}
    ProjectMemberFactory(project=team.project, user=ada, role="viewer")  # added back: shown again
    assert len(ada_client.get(URL).json()["results"]) == 3
