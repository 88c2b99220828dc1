"""The performance contract: queries per request do not grow with data or filters.

Counts exclude savepoints (tests run inside a transaction; production's
BEGIN/COMMIT is not a query either).
"""

import pytest

from tasks.models import Label
from tasks.tests.factories import LabelFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(owner):
    labels = [LabelFactory(owner=owner, name=f"l{n}") for n in range(3)]

    def make(count: int) -> list[Label]:
        for task in TaskFactory.create_batch(count, owner=owner):
            task.labels.set(labels)
        return labels

    return make


@pytest.mark.parametrize("count", [1, 10, 60])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status=todo,done&priority=none",
        "?overdue=false&ordering=-due_date",
        "?q=task&ordering=title",
        "?label={first},{second}",
    ],
)
def test_a_list_page_is_three_queries_projects_tasks_and_their_details(
    owner_client, labelled, assert_queries, count, query
):
    # the projects the user reads, the page of tasks, and one query for the page's labels,
    # assignees and sub-task counts
    labels = labelled(count)
    with assert_queries(3):
        response = owner_client.get(f"/api/tasks/{query.format(first=labels[0].pk, second=labels[1].pk)}")
    assert response.status_code == 200
    assert response.json()["results"]


def test_an_empty_page_is_two_queries(owner_client, assert_queries):
    with assert_queries(2):
        assert owner_client.get("/api/tasks/").json()["results"] == []


def test_the_next_page_costs_the_same(owner_client, labelled, assert_queries):
    labelled(10)
    next_url = owner_client.get("/api/tasks/?page_size=3").json()["next"]
    with assert_queries(3):
        assert len(owner_client.get(next_url).json()["results"]) == 3


def test_authentication_costs_no_query(owner_client, assert_queries):
    # an invalid filter is refused after authentication and before any query
    with assert_queries(0):
        assert owner_client.get("/api/tasks/?status=nope").status_code == 400


def test_retrieve_is_the_task_and_its_details(owner_client, owner, labelled, assert_queries):
    labelled(1)
    task = owner.tasks.get()
    with assert_queries(2):
        assert owner_client.get(f"/api/tasks/{task.pk}/").status_code == 200


def test_create_is_the_quota_check_the_task_and_its_history_entry(owner_client, assert_queries):
    # lock the owner's row and count their tasks (the quota), insert the task, its history entry,
    # the webhooks of its readers
    with assert_queries(5):
        assert owner_client.post("/api/tasks/", {"title": "fast"}, format="json").status_code == 201


def test_create_with_labels_adds_the_lookup_and_the_links(owner_client, owner, assert_queries):
    ids = [LabelFactory(owner=owner, name=f"l{n}").pk for n in range(5)]
    with assert_queries(7):
        assert (
            owner_client.post("/api/tasks/", {"title": "tagged", "labels": ids}, format="json").status_code
            == 201
        )


@pytest.mark.parametrize(
    ("method", "suffix", "body", "queries"),
    [
        # lock the row, write it, write history, look up its readers' webhooks, read its details
        # for the answer
        ("patch", "", {"title": "x"}, 5),
        # and the labels it had (PUT replaces them)
        ("put", "", {"title": "x"}, 6),
        # and one update that unschedules the task's reminders
        ("post", "complete/", None, 6),
        ("post", "reopen/", None, 2),  # nothing to reopen: lock, labels
        # lock, look for sub-tasks to take along, write, history, webhooks, unschedule the reminders
        # (no body in the answer)
        ("delete", "", None, 6),
    ],
)
def test_writes_cost_a_constant_number_of_queries(
    owner_client, owner, assert_queries, method, suffix, body, queries
):
    task = TaskFactory(owner=owner)
    with assert_queries(queries):
        response = getattr(owner_client, method)(f"/api/tasks/{task.pk}/{suffix}", body, format="json")
    assert response.status_code in (200, 204)
