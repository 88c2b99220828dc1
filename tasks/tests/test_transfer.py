import csv
import io
import json

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Label, Task, TaskEvent
from tasks.tests.factories import LabelFactory, TaskFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def download(client, fmt: str | None = None):
    response = client.get("/api/tasks/export/", {"format": fmt} if fmt else {})
    assert response.status_code == 200, response.content if not response.streaming else ""
    return response, b"".join(response.streaming_content).decode()


@pytest.fixture
def collection(owner):
    home = LabelFactory(owner=owner, name="home", colour="#00aa00")
    work = LabelFactory(owner=owner, name="work")
    a = TaskFactory(
        owner=owner,
        title="Paint the fence",
        description="white, two coats",
        priority=3,
        due_date="2026-12-01",
    )
    a.labels.set([home])
    b = TaskFactory(owner=owner, title="Ship release", status="done", priority=4)
    b.completed_at = b.created_at
    b.save()
    b.labels.set([home, work])
    TaskFactory(owner=owner, title='=HYPERLINK("http://evil")', status="in_progress")
    TaskFactory(owner=owner, title="trashed one", trashed_at=timezone.now())
    return owner


def test_json_export_is_streamed_and_complete(owner_client, collection):
    response, text = download(owner_client)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="tms-tasks-')
    data = json.loads(text)
    assert data["format"] == "tms-tasks" and data["version"] == 1
    by_title = {task["title"]: task for task in data["tasks"]}
    assert by_title["Paint the fence"] == {
        "title": "Paint the fence",
        "description": "white, two coats",
        "status": "todo",
        "priority": "high",
        "due_date": "2026-12-01",
        "completed_at": None,
        "created_at": by_title["Paint the fence"]["created_at"],
        "labels": [{"name": "home", "colour": "#00aa00"}],
    }
    assert sorted(label["name"] for label in by_title["Ship release"]["labels"]) == ["home", "work"]


def test_csv_export_and_formula_guard(owner_client, collection):
    response, text = download(owner_client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["title"] for row in rows} >= {"Paint the fence", "Ship release"}
    ship = next(row for row in rows if row["title"] == "Ship release")
    assert ship["labels"] in ("home;work", "work;home") and ship["priority"] == "urgent"
    assert '\'=HYPERLINK("http://evil")' in {row["title"] for row in rows}


def test_unknown_export_format_is_400(owner_client):
    response = owner_client.get("/api/tasks/export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_export_queries_do_not_grow_per_task(owner_client, owner, assert_queries):
    TaskFactory.create_batch(30, owner=owner)
    with assert_queries(2):  # tasks, labels
        download(owner_client)


def test_export_then_import_into_a_fresh_account_reproduces_the_tasks(owner_client, collection):
    _, text = download(owner_client)
    newcomer = UserFactory()
    # when
    response = client_for(newcomer).post("/api/tasks/import/", json.loads(text), format="json")
    # then
    assert response.status_code == 201
    assert response.json() == {"imported": 3, "labels_created": 2}

    def snapshot(user):
        return sorted(
            (
                t.title,
                t.description,
                t.status,
                t.priority,
                t.due_date,
                t.completed_at is not None,
                tuple(sorted((label.name, label.colour) for label in t.labels.all())),
            )
            for t in Task.objects.filter(owner=user, trashed_at__isnull=True).prefetch_related("labels")
        )

    assert snapshot(newcomer) == snapshot(collection)
    original_done = Task.objects.get(owner=collection, title="Ship release")
    copied_done = Task.objects.get(owner=newcomer, title="Ship release")
    assert copied_done.completed_at == original_done.completed_at
    assert TaskEvent.objects.filter(task__owner=newcomer, kind="imported").count() == 3
    assert not Task.objects.filter(owner=newcomer, title="trashed one").exists()


def test_import_reuses_existing_labels_by_name(owner):
    LabelFactory(owner=owner, name="Home")
    body = {"tasks": [{"title": "t", "labels": [{"name": "home"}]}]}
    response = client_for(owner).post("/api/tasks/import/", body, format="json")
    assert response.json() == {"imported": 1, "labels_created": 0}
    assert Task.objects.get().labels.get().name == "Home"


def test_import_reports_every_bad_row_and_writes_nothing(owner_client):
    body = {
        "tasks": [
            {"title": "fine"},
            {"title": "", "status": "later"},
            {"title": "also fine"},
            {"title": "bad priority", "priority": "critical", "labels": [{"name": "x", "colour": "blue"}]},
        ]
    }
    response = owner_client.post("/api/tasks/import/", body, format="json")
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["tasks"]
    assert set(rows) == {"1", "3"}
    assert set(rows["1"]) == {"title", "status"}
    assert set(rows["3"]) == {"priority", "labels"}
    assert not Task.objects.exists() and not Label.objects.exists()


@pytest.mark.parametrize("body", [{}, {"tasks": "nope"}, {"tasks": [1, 2]}, {"format": "other", "tasks": []}])
def test_malformed_imports_are_400(owner_client, body):
    assert owner_client.post("/api/tasks/import/", body, format="json").status_code == 400
    assert not Task.objects.exists()


def test_import_takes_bodies_up_to_its_own_limit(owner_client, settings):
    settings.TMS_MAX_BODY_BYTES = 2048
    settings.TMS_MAX_IMPORT_BYTES = 64 * 1024
    body = {"tasks": [{"title": f"task {n}", "description": "x" * 100} for n in range(100)]}  # ~15 KB
    assert owner_client.post("/api/tasks/import/", body, format="json").status_code == 201
    assert (
        owner_client.post("/api/tasks/", {"title": "t", "description": "x" * 4000}, format="json").status_code
        == 413
    )
    huge = {"tasks": [{"title": "t", "description": "x" * 9000} for _ in range(10)]}  # ~90 KB
    assert owner_client.post("/api/tasks/import/", huge, format="json").status_code == 413
