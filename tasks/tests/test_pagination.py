"""Cursor pagination: stable pages whatever happens between fetches."""

import base64
import datetime
import json

import pytest
from rest_framework.test import APIClient

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def fetch(client: APIClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def walk(client: APIClient, url: str, between_pages=None) -> list[int]:
    seen: list[int] = []
    while url:
        page = fetch(client, url)
        seen += [task["id"] for task in page["results"]]
        url = page["next"]
        if between_pages:
            between_pages()
    return seen


def test_default_page_size_is_50(owner_client, owner):
    TaskFactory.create_batch(55, owner=owner)
    page = fetch(owner_client, LIST)
    assert len(page["results"]) == 50
    assert page["next"].startswith("http://testserver/api/tasks/?cursor=")
    assert page["previous"] is None
    last = fetch(owner_client, page["next"])
    assert len(last["results"]) == 5 and last["next"] is None


def test_page_size_up_to_100(owner_client, owner):
    TaskFactory.create_batch(101, owner=owner)
    assert len(fetch(owner_client, f"{LIST}?page_size=100")["results"]) == 100


@pytest.mark.parametrize(
    "ordering", ["position", "-priority", "due_date", "-due_date", "title", "-created_at"]
)
def test_walking_every_page_sees_each_task_once(owner_client, owner, ordering):
    for n in range(23):
        TaskFactory(
            owner=owner,
            priority=n % 5,
            title=f"t{n % 4}",
            due_date=None if n % 3 == 0 else datetime.date(2026, 1, 1 + n % 7),
        )
    seen = walk(owner_client, f"{LIST}?page_size=4&ordering={ordering}")
    assert sorted(seen) == sorted(Task.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 23


def test_no_repeats_or_skips_while_tasks_are_inserted_between_fetches(owner_client, owner):
    # given 30 tasks, paged 7 at a time in manual order
    original = [TaskFactory(owner=owner).pk for _ in range(30)]
    inserted: list[int] = []

    def someone_adds_tasks():
        # new tasks at the end and at the very top of the list
        inserted.append(owner_client.post(LIST, {"title": "new at the end"}, format="json").json()["id"])
        inserted.append(TaskFactory(owner=owner, position=-(10**9) - len(inserted)).pk)

    # when
    seen = walk(owner_client, f"{LIST}?page_size=7", between_pages=someone_adds_tasks)
    # then every original task is seen exactly once, in order, and new ones at the end are picked up
    assert len(seen) == len(set(seen))
    assert [pk for pk in seen if pk in original] == original
    # (all but the one added after the last page was read)
    assert set(inserted[::2][:-1]) <= set(seen)


def test_previous_walks_back(owner_client, owner):
    ids = [TaskFactory(owner=owner).pk for _ in range(10)]
    first = fetch(owner_client, f"{LIST}?page_size=4")
    second = fetch(owner_client, first["next"])
    third = fetch(owner_client, second["next"])
    assert [t["id"] for t in third["results"]] == ids[8:]
    back = fetch(owner_client, third["previous"])
    assert [t["id"] for t in back["results"]] == ids[4:8]
    start = fetch(owner_client, back["previous"])
    assert [t["id"] for t in start["results"]] == ids[:4]
    assert start["previous"] is None
    assert [t["id"] for t in fetch(owner_client, start["next"])["results"]] == ids[4:8]


def test_filters_apply_across_pages(owner_client, owner):
    TaskFactory.create_batch(6, owner=owner, status="done")
    TaskFactory.create_batch(6, owner=owner, status="todo")
    seen = walk(owner_client, f"{LIST}?page_size=4&status=done")
    assert Task.objects.filter(pk__in=seen, status="done").count() == 6 == len(seen)


def test_a_cursor_of_another_ordering_is_400(owner_client, owner):
    TaskFactory.create_batch(3, owner=owner)
    next_url = fetch(owner_client, f"{LIST}?page_size=1&ordering=title")["next"]
    response = owner_client.get(next_url.replace("ordering=title", "ordering=priority"))
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "cursor", ["eyJ4IjoxfQ", "e30", "!!!", "eyJvIjoicG9zaXRpb24iLCJ2IjpbW10sMV0sImQiOiJuIn0"]
)
def test_tampered_cursors_are_400(owner_client, cursor):
    response = owner_client.get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def forged(**cursor) -> str:
    """A cursor as a client could make one: well-formed, base64 of JSON, whatever it holds."""
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


LATER = {"t": "2026-01-01T00:00:00+00:00"}


@pytest.mark.parametrize(
    ("ordering", "values"),
    [
        pytest.param("position", ["abc", 1], id="text-for-a-number"),
        pytest.param("position", [1, "abc"], id="text-for-the-id"),
        pytest.param("position", [1.5, 1], id="fraction"),
        pytest.param("position", [True, 1], id="boolean"),
        pytest.param("position", [2**80, 1], id="beyond-the-column"),
        pytest.param("position", [1, 2**64], id="id-beyond-the-column"),
        pytest.param("-priority", [-1, 1], id="below-the-column"),
        pytest.param("position", [None, 1], id="null-for-a-key-never-null"),
        pytest.param("position", [1, None], id="null-id"),
        pytest.param("position", [1], id="too-few-values"),
        pytest.param("position", [1, 2, 3], id="too-many-values"),
        pytest.param("position", [[1], 1], id="list"),
        pytest.param("position", [{"n": 1}, 1], id="object"),
        pytest.param("position", [LATER, 1], id="time-for-a-number"),
        pytest.param("created_at", ["abc", 1], id="text-for-a-time"),
        pytest.param("created_at", [1767225600, 1], id="number-for-a-time"),
        pytest.param("created_at", [{"t": "abc"}, 1], id="not-a-time"),
        pytest.param("created_at", [{"t": 5}, 1], id="number-in-a-time"),
        pytest.param("created_at", [{"t": "2026-01-01T00:00:00"}, 1], id="time-without-offset"),
        pytest.param("-updated_at", [{"t": "2026-01-01"}, 1], id="date-for-a-time"),
        pytest.param("created_at", [{"t": "0001-01-01T00:00:00+14:00"}, 1], id="time-before-the-calendar"),
        pytest.param("created_at", [{**LATER, "x": 1}, 1], id="time-with-more"),
        pytest.param("due_date", [LATER, 1], id="time-for-a-date"),
        pytest.param("due_date", [{"t": "2026-02-30"}, 1], id="impossible-date"),
        pytest.param("due_date", ["2026-01-01", 1], id="bare-date"),
        pytest.param("title", [5, 1], id="number-for-text"),
        pytest.param("-title", ["\ud800", 1], id="lone-surrogate"),
    ],
)
def test_a_forged_cursor_with_values_of_the_wrong_kind_is_400(owner_client, owner, ordering, values):
    # given a task to page through, and a cursor of the right ordering with the wrong values
    TaskFactory(owner=owner)
    cursor = forged(o=ordering, v=values, d="n")
    # when
    response = owner_client.get(LIST, {"ordering": ordering, "cursor": cursor})
    # then
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "values",
    [["abc", 1], [1767225600, 1], [LATER, "abc"], [LATER, 2**70], [None, 1], [{"t": "2026-13-01"}, 1]],
    ids=["text-for-a-time", "number-for-a-time", "text-for-the-id", "id-beyond", "null", "bad-month"],
)
@pytest.mark.parametrize("endpoint", ["trash", "history"])
def test_forged_cursors_of_the_trash_and_history_are_400(owner_client, owner, endpoint, values):
    task = TaskFactory(owner=owner)
    url = f"/api/tasks/{task.pk}/history/" if endpoint == "history" else "/api/tasks/trash/"
    response = owner_client.get(url, {"cursor": forged(o=endpoint, v=values, d="n")})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("ordering", "values"),
    [
        ("created_at", [{"t": "2020-01-01T00:00:00+02:00"}, 1]),
        ("-due_date", [None, 2**63 - 1]),
        ("-title", ["zzz", 1]),
        ("priority", [0, 0]),
    ],
)
def test_a_made_up_cursor_of_the_right_kinds_is_a_place_in_the_list(owner_client, owner, ordering, values):
    # a client may write a cursor itself: only what it holds must make sense
    TaskFactory(owner=owner, title="a task", priority=1, due_date=None)
    response = owner_client.get(LIST, {"ordering": ordering, "cursor": forged(o=ordering, v=values, d="n")})
    assert response.status_code == 200, response.content
    assert len(response.json()["results"]) == 1
