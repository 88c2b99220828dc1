"""The performance contract: queries per request do not grow with data or filters."""

import pytest

from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count", [0, 10, 60])
@pytest.mark.parametrize(
    "query",
    ["", "?status=todo,done&priority=high", "?overdue=true&ordering=-due_date", "?q=task&ordering=title"],
)
def test_a_list_page_is_one_query(api, owner, assert_queries, count, query):
    TaskFactory.create_batch(count, owner=owner)
    with assert_queries(1):
        response = api.get(f"/api/tasks/{query}")
    assert response.status_code == 200


def test_the_next_page_is_one_query_too(api, owner, assert_queries):
    TaskFactory.create_batch(10, owner=owner)
    next_url = api.get("/api/tasks/?page_size=3").json()["next"]
    with assert_queries(1):
        assert len(api.get(next_url).json()["results"]) == 3


def test_authentication_costs_no_query(api, assert_queries):
    # an invalid filter is refused after authentication and before any query
    with assert_queries(0):
        assert api.get("/api/tasks/?status=nope").status_code == 400


def test_retrieve_is_one_query(api, owner, assert_queries):
    task = TaskFactory(owner=owner)
    with assert_queries(1):
        assert api.get(f"/api/tasks/{task.pk}/").status_code == 200


def test_create_is_one_query(api, assert_queries):
    with assert_queries(1):
        assert api.post("/api/tasks/", {"title": "fast"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("patch", "", {"title": "x"}),
        ("put", "", {"title": "x"}),
        ("post", "complete/", None),
        ("delete", "", None),
    ],
)
def test_updates_are_at_most_two_queries(api, owner, assert_queries, method, suffix, body):
    task = TaskFactory(owner=owner)
    with assert_queries(2, at_most=True):
        response = getattr(api, method)(f"/api/tasks/{task.pk}/{suffix}", body, format="json")
    assert response.status_code in (200, 204)
