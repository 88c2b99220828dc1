import pytest

from tasks.models import Task, TaskEvent
from tasks.services import tasks as task_services
from tasks.tests.factories import LabelFactory, TaskFactory

pytestmark = pytest.mark.django_db


def history(client, task_id: int, **params) -> list[dict]:
    response = client.get(f"/api/tasks/{task_id}/history/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_every_change_is_recorded_newest_first(owner_client, owner):
    home = LabelFactory(owner=owner, name="home")
    task_id = owner_client.post("/api/tasks/", {"title": "Draft", "priority": "low"}, format="json").json()[
        "id"
    ]
    owner_client.patch(
        f"/api/tasks/{task_id}/", {"title": "Final", "priority": "high", "labels": [home.pk]}, format="json"
    )
    owner_client.post(f"/api/tasks/{task_id}/complete/")
    owner_client.post(f"/api/tasks/{task_id}/reopen/")
    owner_client.post(f"/api/tasks/{task_id}/move/", {"status": "in_progress"}, format="json")
    owner_client.delete(f"/api/tasks/{task_id}/")
    owner_client.post(f"/api/tasks/{task_id}/restore/")
    events = history(owner_client, task_id)
    assert [event["kind"] for event in events] == [
        "restored",
        "trashed",
        "moved",
        "reopened",
        "completed",
        "updated",
        "created",
    ]
    created, updated = events[-1], events[-2]
    assert created["changes"]["title"] == "Draft" and created["changes"]["priority"] == "low"
    assert updated["changes"] == {
        "title": ["Draft", "Final"],
        "priority": ["low", "high"],
        "labels": [[], ["home"]],
    }
    assert events[-3]["changes"] == {"status": ["todo", "done"]}
    assert events[2]["changes"]["status"] == ["todo", "in_progress"]
    assert {event["actor_id"] for event in events} == {owner.pk}


def test_a_write_that_changes_nothing_records_nothing(owner_client, owner):
    task = TaskFactory(owner=owner, title="same")
    owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "same"}, format="json")
    owner_client.post(f"/api/tasks/{task.pk}/reopen/")  # not done: nothing to reopen
    assert history(owner_client, task.pk) == []
    task.refresh_from_db()
    assert task.version == 1


def test_history_pages(owner_client, owner):
    task_id = owner_client.post("/api/tasks/", {"title": "t0"}, format="json").json()["id"]
    for n in range(1, 8):
        owner_client.patch(f"/api/tasks/{task_id}/", {"title": f"t{n}"}, format="json")
    first = owner_client.get(f"/api/tasks/{task_id}/history/?page_size=5").json()
    second = owner_client.get(first["next"]).json()
    titles = [
        e["changes"]["title"][1] for e in first["results"] + second["results"] if e["kind"] == "updated"
    ]
    assert titles == [f"t{n}" for n in range(7, 0, -1)]
    assert second["next"] is None


def test_history_rows_roll_back_with_a_failed_change(owner_client, owner, monkeypatch):
    task = TaskFactory(owner=owner, title="before")
    real_record = task_services.history.record

    def record_then_fail(*args, **kwargs):
        real_record(*args, **kwargs)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(task_services.history, "record", record_then_fail)
    response = owner_client.patch(f"/api/tasks/{task.pk}/", {"title": "after"}, format="json")
    assert response.status_code == 500
    assert not TaskEvent.objects.exists()
    task.refresh_from_db()
    assert task.title == "before" and task.version == 1


def test_history_is_one_query_per_page_plus_the_ownership_check(owner_client, owner, assert_queries):
    task_id = owner_client.post("/api/tasks/", {"title": "t"}, format="json").json()["id"]
    for n in range(10):
        owner_client.patch(f"/api/tasks/{task_id}/", {"title": f"t{n}"}, format="json")
    with assert_queries(2):
        assert len(history(owner_client, task_id)) == 11


def test_another_users_history_is_404(owner_client, stranger):
    theirs = TaskFactory(owner=stranger)
    assert owner_client.get(f"/api/tasks/{theirs.pk}/history/").status_code == 404


def test_admin_actions_record_the_staff_member(owner):
    from accounts.tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    task = TaskFactory(owner=owner)
    task_services.task_complete(user_id=owner.pk, task_id=task.pk, actor_id=staff.pk)
    assert TaskEvent.objects.get(task=task).actor_id == staff.pk
    assert Task.objects.get(pk=task.pk).status == "done"
