"""Another user's task does not exist for you: 404 on every verb and action, nothing changes."""

import pytest

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

REQUESTS = [
    ("get", "", None),
    ("put", "", {"title": "hijacked"}),
    ("patch", "", {"title": "hijacked"}),
    ("delete", "", None),
    ("post", "complete/", None),
    ("post", "reopen/", None),
    ("post", "move/", {"status": "done"}),
]


@pytest.mark.parametrize(("method", "suffix", "body"), REQUESTS, ids=[f"{m} {s}" for m, s, _ in REQUESTS])
def test_another_users_task_is_404_and_untouched(owner, stranger, method, suffix, body):
    theirs = TaskFactory(owner=stranger, title="private", status="done")
    snapshot = Task.objects.filter(pk=theirs.pk).values().get()
    mine_client = client_for(owner)
    # when
    response = getattr(mine_client, method)(f"/api/tasks/{theirs.pk}/{suffix}", body, format="json")
    # then: the same answer as for a task that never existed
    missing = getattr(mine_client, method)(f"/api/tasks/987654/{suffix}", body, format="json")
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert Task.objects.filter(pk=theirs.pk).values().get() == snapshot


def test_lists_show_only_your_own_tasks(owner, stranger):
    TaskFactory(owner=owner, title="mine")
    TaskFactory(owner=stranger, title="theirs")
    for who, expected in [(owner, ["mine"]), (stranger, ["theirs"])]:
        assert [t["title"] for t in client_for(who).get("/api/tasks/").json()["results"]] == expected


def test_your_task_cannot_be_placed_next_to_someone_elses(owner, stranger):
    mine = TaskFactory(owner=owner)
    theirs = TaskFactory(owner=stranger)
    response = client_for(owner).post(f"/api/tasks/{mine.pk}/move/", {"before_id": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "before_id" in response.json()["error"]["fields"]


def test_search_does_not_reach_other_users(owner, stranger):
    TaskFactory(owner=stranger, title="secret plan")
    assert client_for(owner).get("/api/tasks/", {"q": "secret"}).json()["results"] == []
