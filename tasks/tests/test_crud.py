import pytest
from django.utils import timezone

from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/tasks/"


def detail(task_id: int) -> str:
    return f"/api/tasks/{task_id}/"


def test_create_with_only_a_title_fills_the_defaults(owner_client, owner):
    # when
    response = owner_client.post(LIST, {"title": "  Buy milk  "}, format="json")
    # then
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "description",
        "status",
        "priority",
        "due_date",
        "due_time",
        "due_at",
        "recurrence",
        "recurrence_basis",
        "recurrence_text",
        "reminders",
        "completed_at",
        "labels",
        "project",
        "parent",
        "assignees",
        "subtask_count",
        "subtasks_done",
        "position",
        "version",
        "created_at",
        "updated_at",
    }
    assert body["title"] == "Buy milk"
    assert (body["due_time"], body["due_at"], body["recurrence"]) == (None, None, "")
    assert body["recurrence_text"] is None
    assert (body["recurrence_basis"], body["reminders"]) == ("due", [])
    assert (body["project"], body["parent"], body["assignees"], body["subtask_count"]) == (None, None, [], 0)
    assert (body["description"], body["status"], body["priority"], body["due_date"]) == (
        "",
        "todo",
        "none",
        None,
    )
    assert body["completed_at"] is None and body["labels"] == [] and body["version"] == 1
    assert response["ETag"].startswith('"1-')  # the version, then the hash of the body
    task = Task.objects.get(pk=body["id"])
    assert task.owner == owner and task.title == "Buy milk"


def test_create_with_every_field(owner_client):
    payload = {
        "title": "Ship it",
        "description": "All of it",
        "status": "done",
        "priority": "urgent",
        "due_date": "2026-12-24",
    }
    body = owner_client.post(LIST, payload, format="json").json()
    assert {key: body[key] for key in payload} == payload
    assert body["completed_at"] is not None


def test_new_tasks_go_to_the_end_of_their_column(owner_client):
    first = owner_client.post(LIST, {"title": "first"}, format="json").json()
    second = owner_client.post(LIST, {"title": "second"}, format="json").json()
    assert second["position"] > first["position"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "d" * 10_001}, "description"),
        ({"title": "ok", "status": "later"}, "status"),
        ({"title": "ok", "priority": "critical"}, "priority"),
        ({"title": "ok", "priority": 3}, "priority"),
        ({"title": "ok", "due_date": "31/12/2026"}, "due_date"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": "ok", "titel": "typo"}, "titel"),
    ],
)
def test_invalid_task_bodies_are_400_naming_the_field(owner_client, payload, field):
    response = owner_client.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Task.objects.exists()


def test_a_title_of_exactly_200_characters_is_fine(owner_client):
    assert owner_client.post(LIST, {"title": "x" * 200}, format="json").status_code == 201


def test_read_only_fields_are_ignored(owner_client, owner, stranger):
    payload = {
        "title": "mine",
        "id": 12345,
        "owner": stranger.pk,
        "completed_at": "2020-01-01T00:00:00Z",
        "position": 7,
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    }
    # ``owner`` is not a field of the API at all, so it is refused as unknown ...
    assert owner_client.post(LIST, payload, format="json").status_code == 400
    # ... while the read-only ones are accepted and ignored
    del payload["owner"]
    body = owner_client.post(LIST, payload, format="json").json()
    task = Task.objects.get(pk=body["id"])
    assert task.pk != 12345 and task.owner == owner
    assert task.completed_at is None and task.position != 7
    assert task.created_at.year == timezone.now().year


def test_retrieve(owner_client, owner):
    task = TaskFactory(owner=owner, title="Read me", priority=Task.Priority.HIGH)
    body = owner_client.get(detail(task.pk)).json()
    assert body["title"] == "Read me" and body["priority"] == "high" and body["id"] == task.pk


def test_patch_changes_only_the_given_fields(owner_client, owner):
    task = TaskFactory(owner=owner, description="keep me", priority=Task.Priority.LOW)
    response = owner_client.patch(detail(task.pk), {"title": "renamed"}, format="json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.description, task.priority) == ("renamed", "keep me", Task.Priority.LOW)


def test_put_replaces_every_writable_field(owner_client, owner):
    task = TaskFactory(owner=owner, description="old", priority=Task.Priority.HIGH, status="in_progress")
    response = owner_client.put(detail(task.pk), {"title": "fresh"}, format="json")
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.title, task.description, task.priority, task.status, task.due_date) == (
        "fresh",
        "",
        Task.Priority.NONE,
        "todo",
        None,
    )


def test_put_needs_a_title(owner_client, owner):
    task = TaskFactory(owner=owner)
    response = owner_client.put(detail(task.pk), {"description": "no title"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


def test_invalid_update_changes_nothing(owner_client, owner):
    task = TaskFactory(owner=owner, title="stays")
    response = owner_client.patch(detail(task.pk), {"title": "", "priority": "high"}, format="json")
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "stays" and task.priority == Task.Priority.NONE


def test_delete_moves_the_task_to_the_trash(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert owner_client.delete(detail(task.pk)).status_code == 204
    task.refresh_from_db()
    assert task.trashed_at is not None
    assert owner_client.get(detail(task.pk)).status_code == 404


def test_complete_and_reopen(owner_client, owner):
    task = TaskFactory(owner=owner)
    done = owner_client.post(f"{detail(task.pk)}complete/").json()
    assert done["status"] == "done" and done["completed_at"] is not None
    # completing twice keeps the first completion time
    assert owner_client.post(f"{detail(task.pk)}complete/").json()["completed_at"] == done["completed_at"]
    reopened = owner_client.post(f"{detail(task.pk)}reopen/").json()
    assert reopened["status"] == "todo" and reopened["completed_at"] is None


def test_status_changes_through_patch_keep_completion_consistent(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert (
        owner_client.patch(detail(task.pk), {"status": "done"}, format="json").json()["completed_at"]
        is not None
    )
    back = owner_client.patch(detail(task.pk), {"status": "in_progress"}, format="json").json()
    assert back["completed_at"] is None


def test_unknown_task_is_404(owner_client):
    response = owner_client.get(detail(999999))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_requests_are_401(client):
    response = client.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db(transaction=True)  # SQLite checks foreign keys at commit
def test_a_token_of_a_deleted_account_cannot_create(owner_client, owner):
    owner.delete()
    response = owner_client.post(LIST, {"title": "orphan"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "account_deleted"
    assert not Task.objects.exists()
