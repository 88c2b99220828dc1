"""Listing: filters, ordering, validation of every parameter."""

import datetime

import pytest
from freezegun import freeze_time

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def titles(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


def test_empty_list(owner_client):
    assert owner_client.get(LIST).json() == {"results": [], "next": None, "previous": None}


def test_default_order_is_the_manual_position(owner_client, owner):
    TaskFactory(owner=owner, title="b", position=20)
    TaskFactory(owner=owner, title="a", position=10)
    TaskFactory(owner=owner, title="c", position=30)
    assert titles(owner_client) == ["a", "b", "c"]


@pytest.fixture
def spread(owner):
    prio = Task.Priority
    TaskFactory(owner=owner, title="todo-low", status="todo", priority=prio.LOW)
    TaskFactory(owner=owner, title="doing-high", status="in_progress", priority=prio.HIGH)
    TaskFactory(owner=owner, title="done-urgent", status="done", priority=prio.URGENT)
    TaskFactory(owner=owner, title="todo-none", status="todo", priority=prio.NONE)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "todo"}, {"todo-low", "todo-none"}),
        ({"status": "todo,done"}, {"todo-low", "todo-none", "done-urgent"}),
        ({"status": ["todo", "in_progress"]}, {"todo-low", "todo-none", "doing-high"}),
        ({"priority": "high,urgent"}, {"doing-high", "done-urgent"}),
        ({"priority": ["none"]}, {"todo-none"}),
        ({"status": "todo", "priority": "low"}, {"todo-low"}),
    ],
)
def test_status_and_priority_filters(owner_client, spread, params, expected):
    assert set(titles(owner_client, **params)) == expected


TODAY = datetime.date(2026, 11, 27)


def dated_tasks(owner, today: datetime.date) -> None:
    day = datetime.timedelta(days=1)
    TaskFactory(owner=owner, title="past", due_date=today - 7 * day)
    TaskFactory(owner=owner, title="past-done", due_date=today - 7 * day, status="done")
    TaskFactory(owner=owner, title="today", due_date=today)
    TaskFactory(owner=owner, title="future", due_date=today + 8 * day)
    TaskFactory(owner=owner, title="undated")


@pytest.fixture
def dated(owner):
    dated_tasks(owner, TODAY)


@pytest.fixture
def frozen_api(owner):
    """A client whose clock, and token, live on TODAY at noon UTC."""
    from tests.support.clients import client_for

    with freeze_time("2026-11-27T12:00:00Z"):
        yield client_for(owner)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"due_before": "2026-11-27"}, {"past", "past-done", "today"}),
        ({"due_after": "2026-11-27"}, {"today", "future"}),
        ({"due_after": "2026-11-21", "due_before": "2026-12-31"}, {"today", "future"}),
        ({"has_due": "true"}, {"past", "past-done", "today", "future"}),
        ({"has_due": "false"}, {"undated"}),
        ({"overdue": "true"}, {"past"}),
        ({"overdue": "false"}, {"past-done", "today", "future", "undated"}),
    ],
)
def test_date_filters(frozen_api, dated, params, expected):
    assert set(titles(frozen_api, **params)) == expected


def test_overdue_uses_today_in_the_users_time_zone(owner, dated):
    from tests.support.clients import client_for

    # 2026-11-27 23:30 UTC is already 2026-11-28 in Tokyo: "today" is overdue there
    owner.time_zone = "Asia/Tokyo"
    owner.save()
    with freeze_time("2026-11-27T23:30:00Z"):
        tokyo = client_for(owner)
        assert set(titles(tokyo, overdue="true")) == {"past", "today"}
    owner.time_zone = "America/Los_Angeles"
    owner.save()
    with freeze_time("2026-11-27T23:30:00Z"):
        assert set(titles(client_for(owner), overdue="true")) == {"past"}


def test_search_in_title_and_description(owner_client, owner):
    TaskFactory(owner=owner, title="Call the Plumber")
    TaskFactory(owner=owner, title="Other", description="ask the plumber about pipes")
    TaskFactory(owner=owner, title="Unrelated")
    assert set(titles(owner_client, q="PLUMBER")) == {"Call the Plumber", "Other"}


def test_updated_since(owner_client, owner):
    with freeze_time("2026-01-01T00:00:00Z"):
        TaskFactory(owner=owner, title="old")
    with freeze_time("2026-06-01T00:00:00Z"):
        TaskFactory(owner=owner, title="new")
    assert titles(owner_client, updated_since="2026-03-01T00:00:00Z") == ["new"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "later"}, "status"),
        ({"status": "todo,nope"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"due_before": "tomorrow"}, "due_before"),
        ({"due_after": "2026-13-01"}, "due_after"),
        ({"overdue": "maybe"}, "overdue"),
        ({"has_due": "2"}, "has_due"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "owner"}, "ordering"),
        ({"ordering": "-password"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"q": "x" * 201}, "q"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_invalid_parameters_are_400_naming_the_parameter(owner_client, params, field):
    response = owner_client.get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.fixture
def sortable(owner):
    prio = Task.Priority
    with freeze_time("2026-01-01"):
        TaskFactory(
            owner=owner,
            title="Banana",
            priority=prio.URGENT,
            due_date=datetime.date(2026, 3, 1),
            position=3,
        )
    with freeze_time("2026-01-02"):
        TaskFactory(owner=owner, title="apple", priority=prio.LOW, due_date=None, position=1)
    with freeze_time("2026-01-03"):
        TaskFactory(
            owner=owner,
            title="Cherry",
            priority=prio.MEDIUM,
            due_date=datetime.date(2026, 2, 1),
            position=2,
        )
    with freeze_time("2026-01-04"):
        TaskFactory(owner=owner, title="date", priority=prio.NONE, due_date=None, position=4)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("due_date", ["Cherry", "Banana", "apple", "date"]),  # empty dates last
        ("-due_date", ["Banana", "Cherry", "date", "apple"]),  # still last; ties newest id first
        ("priority", ["date", "apple", "Cherry", "Banana"]),  # none < low < medium < high < urgent
        ("-priority", ["Banana", "Cherry", "apple", "date"]),
        ("created_at", ["Banana", "apple", "Cherry", "date"]),
        ("-created_at", ["date", "Cherry", "apple", "Banana"]),
        ("position", ["apple", "Cherry", "Banana", "date"]),
        ("-position", ["date", "Banana", "Cherry", "apple"]),
    ],
)
def test_orderings(owner_client, sortable, ordering, expected):
    assert titles(owner_client, ordering=ordering) == expected


def test_title_ordering_ignores_case(owner_client, sortable):
    assert [t.lower() for t in titles(owner_client, ordering="title")] == [
        "apple",
        "banana",
        "cherry",
        "date",
    ]
    assert [t.lower() for t in titles(owner_client, ordering="-title")] == [
        "date",
        "cherry",
        "banana",
        "apple",
    ]


def test_updated_at_ordering(owner_client, owner, sortable):
    owner_client.patch(
        f"/api/tasks/{Task.objects.get(title='Banana').pk}/", {"description": "touched"}, format="json"
    )
    assert titles(owner_client, ordering="-updated_at")[0] == "Banana"
    assert titles(owner_client, ordering="updated_at")[-1] == "Banana"
