"""Per-user rate limits of the task service: counted before any work, one user's spending never
another's, 429 with Retry-After in the one error shape, 503 when the counter store is down."""

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """Every attempt of a test falls in one window: a test must not straddle the end of a minute."""
    start_of_a_window = 1_700_000_040  # a multiple of 60, 840 s into its hour
    monkeypatch.setattr("tms_project.ratelimit.time.time", lambda: start_of_a_window + 0.5)


@pytest.fixture
def limits(settings):
    def _set(**rates: str) -> None:
        settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, **rates}

    return _set


def assert_limited(response, window_seconds: int) -> None:
    assert response.status_code == 429, response.content
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= window_seconds
    assert f"{response['Retry-After']} seconds" in error["message"]
    # the wait is said once, in people's words
    assert error["message"] == f"Too many attempts. Try again in {response['Retry-After']} seconds."


def test_the_documented_defaults(settings):
    assert {name: rate for name, rate in settings.TMS_RATE_LIMITS.items() if name.startswith("tasks_")} == {
        "tasks_write": "300/m",
        "tasks_bulk": "60/m",
        "tasks_import": "5/h",
        "tasks_export": "10/h",
        "tasks_stats": "60/m",
    }


def test_stats_are_limited_per_user_and_not_for_another_user(owner_client, owner, stranger, limits):
    # given
    limits(tasks_stats="3/m")
    other = client_for(stranger)
    # when: the owner spends the budget
    statuses = [owner_client.get("/api/tasks/stats/").status_code for _ in range(3)]
    limited = owner_client.get("/api/tasks/stats/")
    # then
    assert statuses == [200, 200, 200]
    assert_limited(limited, 60)
    # another user's budget is their own
    assert other.get("/api/tasks/stats/").status_code == 200
    # reads that are not limited still work for the owner
    assert owner_client.get("/api/tasks/").status_code == 200


def test_the_write_budget_covers_every_write_method(owner_client, owner, stranger, limits):
    limits(tasks_write="4/m")
    task = TaskFactory(owner=owner)
    assert owner_client.post("/api/tasks/", {"title": "a"}, format="json").status_code == 201
    assert owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "b"}, format="json").status_code == 200
    assert owner_client.post(f"/api/tasks/{task.pk}/complete/").status_code == 200
    assert owner_client.delete(f"/api/tasks/{task.pk}/").status_code == 204
    # when: the fifth write of the minute, of any kind
    for response in (
        owner_client.post("/api/tasks/", {"title": "c"}, format="json"),
        owner_client.post(f"/api/tasks/{task.pk}/restore/"),
        owner_client.post("/api/tasks/labels/", {"name": "x"}, format="json"),
    ):
        assert_limited(response, 60)
    # then: nothing more was written, reads go on, and the stranger writes freely
    assert Task.objects.filter(owner=owner).count() == 2
    assert owner_client.get("/api/tasks/trash/").json()["results"][0]["id"] == task.pk
    assert client_for(stranger).post("/api/tasks/", {"title": "mine"}, format="json").status_code == 201


def test_import_is_limited_before_its_body_is_parsed(owner_client, owner, limits):
    # given: the import budget is spent
    limits(tasks_import="1/h")
    assert (
        owner_client.post("/api/tasks/import/", {"tasks": [{"title": "one"}]}, format="json").status_code
        == 201
    )
    # when: the next import is not even JSON
    response = owner_client.post("/api/tasks/import/", data=b"{not json", content_type="application/json")
    # then: the limit answers (the parser would have said 400)
    assert_limited(response, 3600)
    assert Task.objects.count() == 1


def test_export_bulk_and_import_have_their_own_budgets(owner_client, owner, limits):
    limits(tasks_export="1/h", tasks_bulk="1/m")
    task = TaskFactory(owner=owner)
    assert owner_client.get("/api/tasks/export/").status_code == 200
    assert_limited(owner_client.get("/api/tasks/export/?format=csv"), 3600)
    body = {"ids": [task.pk], "action": "complete"}
    assert owner_client.post("/api/tasks/bulk/", body, format="json").status_code == 200
    assert_limited(owner_client.post("/api/tasks/bulk/", body, format="json"), 60)
    # single writes still have budget
    assert owner_client.post(f"/api/tasks/{task.pk}/reopen/").status_code == 200


def test_a_refused_request_runs_no_query(owner_client, owner, limits, assert_queries):
    limits(tasks_stats="1/m")
    owner_client.get("/api/tasks/stats/")
    with assert_queries(0):
        assert owner_client.get("/api/tasks/stats/").status_code == 429


def test_limits_can_be_switched_off(owner_client, owner, limits, settings):
    limits(tasks_stats="1/m")
    settings.RATELIMIT_ENABLE = False
    assert [owner_client.get("/api/tasks/stats/").status_code for _ in range(3)] == [200, 200, 200]


def test_without_the_counter_store_limited_requests_are_503(owner_client, owner, monkeypatch):
    # given: the shared cache is unreachable
    from django.core.cache import cache

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", unreachable)
    # when / then: writes and heavy reads fail closed; nothing is written
    response = owner_client.post("/api/tasks/", {"title": "t"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "2"
    assert owner_client.get("/api/tasks/stats/").status_code == 503
    assert not Task.objects.exists()
    # plain reads need no counter
    assert owner_client.get("/api/tasks/").status_code == 200


def test_unauthenticated_requests_spend_no_budget(client, limits):
    limits(tasks_write="1/m")
    for _ in range(3):
        response = client.post("/api/tasks/", {"title": "t"}, content_type="application/json")
        assert response.status_code == 401
