from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tasks.models import Task
from tasks.tests.factories import TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def trashed(owner_client, owner):
    task = TaskFactory(owner=owner, title="in the bin")
    assert owner_client.delete(f"/api/tasks/{task.pk}/").status_code == 204
    return task


def test_trash_lists_trashed_tasks_newest_first(owner_client, owner):
    first, second = TaskFactory(owner=owner), TaskFactory(owner=owner)
    TaskFactory(owner=owner)
    owner_client.delete(f"/api/tasks/{first.pk}/")
    owner_client.delete(f"/api/tasks/{second.pk}/")
    page = owner_client.get("/api/tasks/trash/").json()
    assert [task["id"] for task in page["results"]] == [second.pk, first.pk]
    assert page["results"][0]["trashed_at"] is not None


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("patch", "", {"title": "x"}),
        ("put", "", {"title": "x"}),
        ("delete", "", None),
        ("post", "complete/", None),
        ("post", "reopen/", None),
        ("post", "move/", {}),
        ("get", "history/", None),
    ],
)
def test_trashed_tasks_are_absent_from_every_other_endpoint(owner_client, trashed, method, path, body):
    response = getattr(owner_client, method)(f"/api/tasks/{trashed.pk}/{path}", body, format="json")
    assert response.status_code == 404


def test_trashed_tasks_are_not_listed_counted_exported_or_bulk_changed(owner_client, owner, trashed):
    assert owner_client.get("/api/tasks/").json()["results"] == []
    assert owner_client.get("/api/tasks/stats/").json()["total"] == 0
    assert "in the bin" not in b"".join(owner_client.get("/api/tasks/export/").streaming_content).decode()
    response = owner_client.post(
        "/api/tasks/bulk/", {"ids": [trashed.pk], "action": "complete"}, format="json"
    )
    assert response.status_code == 404


def test_trashed_task_cannot_be_a_move_neighbour(owner_client, owner, trashed):
    task = TaskFactory(owner=owner)
    assert (
        owner_client.post(f"/api/tasks/{task.pk}/move/", {"before_id": trashed.pk}, format="json").status_code
        == 400
    )


def test_restore_brings_it_back(owner_client, trashed):
    response = owner_client.post(f"/api/tasks/{trashed.pk}/restore/")
    assert response.status_code == 200
    assert response.json()["title"] == "in the bin"
    assert owner_client.get(f"/api/tasks/{trashed.pk}/").status_code == 200
    assert owner_client.get("/api/tasks/trash/").json()["results"] == []


def test_restoring_a_task_that_is_not_in_the_trash_is_404(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert owner_client.post(f"/api/tasks/{task.pk}/restore/").status_code == 404


def test_purge_deletes_for_good(owner_client, trashed):
    assert owner_client.delete(f"/api/tasks/trash/{trashed.pk}/").status_code == 204
    assert not Task.objects.filter(pk=trashed.pk).exists()
    assert owner_client.post(f"/api/tasks/{trashed.pk}/restore/").status_code == 404


def test_purge_only_takes_trashed_tasks(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert owner_client.delete(f"/api/tasks/trash/{task.pk}/").status_code == 404
    assert Task.objects.filter(pk=task.pk).exists()


def test_someone_elses_trash_is_404(owner, stranger, trashed):
    other = client_for(stranger)
    assert other.get("/api/tasks/trash/").json()["results"] == []
    assert other.post(f"/api/tasks/{trashed.pk}/restore/").status_code == 404
    assert other.delete(f"/api/tasks/trash/{trashed.pk}/").status_code == 404
    assert Task.objects.filter(pk=trashed.pk, trashed_at__isnull=False).exists()


def test_purge_trash_command_removes_old_ones(owner, capsys):
    now = timezone.now()
    old = TaskFactory(owner=owner, trashed_at=now - timedelta(days=31))
    recent = TaskFactory(owner=owner, trashed_at=now - timedelta(days=29))
    live = TaskFactory(owner=owner)
    call_command("purge_trash")
    assert set(Task.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    call_command("purge_trash", "--days", "7")
    assert set(Task.objects.values_list("pk", flat=True)) == {live.pk}
    assert "purged 0 trashed project(s), 1 trashed task(s)" in capsys.readouterr().out
    assert old.pk not in Task.objects.values_list("pk", flat=True)
