import csv
import io
import json

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks.models import Label, Project, ProjectMember, Task, TaskEvent
from tasks.tests.factories import (
    LabelFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TaskFactory,
    project_task,
)
from tests.support.clients import client_for
from tests.support.snapshot import database_snapshot

pytestmark = pytest.mark.django_db

IMPORT = "/api/tasks/import/"


def download(client, fmt: str | None = None, **params):
    query = {"format": fmt, **params} if fmt else params
    response = client.get("/api/tasks/export/", query)
    assert response.status_code == 200, response.content if not response.streaming else ""
    return response, b"".join(response.streaming_content).decode()


def export_of(client, **params) -> dict:
    return json.loads(download(client, **params)[1])


def shape(user) -> list[tuple]:
    """What a person owns outside the trash, without ids: each task with its project, parent and labels."""
    tasks = Task.objects.filter(owner=user, trashed_at__isnull=True).select_related("project", "parent")
    return sorted(
        (
            t.title,
            t.description,
            t.status,
            t.priority,
            t.due_date,
            t.completed_at,
            t.project.name if t.project else None,
            t.parent.title if t.parent else None,
            tuple(sorted((label.name, label.colour) for label in t.labels.filter(owner=user))),
        )
        for t in tasks
    )


def projects_of(user) -> list[tuple]:
    return sorted(
        Project.objects.filter(owner=user, trashed_at__isnull=True).values_list(
            "name", "description", "colour", "archived"
        )
    )


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


@pytest.fixture
def planned(owner):
    """Two projects of the owner (one archived) with four levels of sub-tasks, and an Inbox tree."""
    garden = ProjectFactory(owner=owner, name="Garden", description="the back yard", colour="#00aa00")
    attic = ProjectFactory(owner=owner, name="Attic", archived=True)
    root = project_task(garden, title="Redo the garden")
    beds = project_task(garden, title="Beds", parent=root)
    soil = project_task(garden, title="Soil", parent=beds, status="done", completed_at=timezone.now())
    project_task(garden, title="Order compost", parent=soil)
    project_task(garden, title="Fence", parent=root)
    project_task(attic, title="Sort boxes")
    trip = TaskFactory(owner=owner, title="Trip")
    TaskFactory(owner=owner, title="Pack", parent=trip)
    mine = LabelFactory(owner=owner, name="outdoor")
    root.labels.set([mine])
    return owner


def test_json_export_is_streamed_and_complete(owner_client, collection):
    response, text = download(owner_client)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="tms-tasks-')
    data = json.loads(text)
    assert data["format"] == "tms-tasks" and data["version"] == 2
    assert data["part"] == 1 and data["next"] is None and data["projects"] == []
    by_title = {task["title"]: task for task in data["tasks"]}
    paint = by_title["Paint the fence"]
    assert paint == {
        "ref": paint["ref"],
        "project": None,
        "parent": None,
        "title": "Paint the fence",
        "description": "white, two coats",
        "status": "todo",
        "priority": "high",
        "due_date": "2026-12-01",
        "due_time": None,
        "recurrence": "",
        "recurrence_basis": "due",
        "recurrence_done": 0,
        "reminders": [],
        "completed_at": None,
        "created_at": paint["created_at"],
        "labels": [{"name": "home", "colour": "#00aa00"}],
    }
    assert sorted(label["name"] for label in by_title["Ship release"]["labels"]) == ["home", "work"]
    assert "trashed one" not in by_title


def test_the_export_holds_the_projects_you_own_and_their_hierarchy(owner_client, planned):
    data = export_of(owner_client)
    projects = {project["name"]: project for project in data["projects"]}
    assert set(projects) == {"Garden", "Attic"}
    assert projects["Garden"] | {"ref": "?"} == {
        "ref": "?",
        "name": "Garden",
        "description": "the back yard",
        "colour": "#00aa00",
        "archived": False,
    }
    assert projects["Attic"]["archived"] is True
    tasks = {task["title"]: task for task in data["tasks"]}
    assert tasks["Order compost"]["parent"] == tasks["Soil"]["ref"]
    assert tasks["Soil"]["parent"] == tasks["Beds"]["ref"]
    assert tasks["Beds"]["project"] == projects["Garden"]["ref"]
    assert tasks["Pack"]["parent"] == tasks["Trip"]["ref"] and tasks["Pack"]["project"] is None
    # a parent always comes before its sub-tasks
    seen = set()
    for task in data["tasks"]:
        assert task["parent"] is None or task["parent"] in seen
        seen.add(task["ref"])


def test_the_export_leaves_out_projects_shared_with_you_and_other_peoples_labels(owner, owner_client):
    # given: a project someone else owns, shared with the owner, and the owner's own project where a
    # member put a label of their own on a task
    other = ProjectFactory(name="Their project")
    ProjectMemberFactory(project=other, user=owner, role="editor")
    project_task(other, title="their task")
    mine = ProjectFactory(owner=owner, name="Mine")
    task = project_task(mine, title="my task")
    helper = UserFactory()
    ProjectMemberFactory(project=mine, user=helper, role="editor")
    task.labels.add(LabelFactory(owner=helper, name="helper's label"))
    ProjectFactory(owner=owner, name="Binned", trashed_at=timezone.now())
    # when
    data = export_of(owner_client)
    # then
    assert [project["name"] for project in data["projects"]] == ["Mine"]
    assert [(task["title"], task["labels"]) for task in data["tasks"]] == [("my task", [])]


def test_csv_export_and_formula_guard(owner_client, collection):
    response, text = download(owner_client, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["title"] for row in rows} >= {"Paint the fence", "Ship release"}
    ship = next(row for row in rows if row["title"] == "Ship release")
    assert ship["labels"] in ("home;work", "work;home") and ship["priority"] == "urgent"
    assert '\'=HYPERLINK("http://evil")' in {row["title"] for row in rows}


def test_csv_names_the_project_and_the_parent(owner_client, planned):
    _, text = download(owner_client, "csv")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(next(csv.reader(io.StringIO(text))))[-6:-3] == ["project", "ref", "parent"]
    assert rows["Beds"]["project"] == "Garden" and rows["Beds"]["parent"] == rows["Redo the garden"]["ref"]
    assert rows["Trip"]["project"] == "" and rows["Trip"]["parent"] == ""
    assert rows["Sort boxes"]["project"] == "Attic"


def test_unknown_export_format_is_400(owner_client):
    response = owner_client.get("/api/tasks/export/", {"format": "xlsx"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJ1IjoxfQ:1vR2:abc"])
def test_a_cursor_that_is_not_an_exports_is_400(owner_client, cursor):
    response = owner_client.get("/api/tasks/export/", {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_a_cursor_is_json_only_and_the_owners_only(owner, owner_client, settings):
    from tasks.services.transfer import ExportPart, cursor_for

    cursor = cursor_for(owner.pk, ExportPart("x", 2, (0, ("todo", 1, 1))))
    csv_response = owner_client.get("/api/tasks/export/", {"format": "csv", "cursor": cursor})
    assert csv_response.status_code == 400
    assert "cursor" in csv_response.json()["error"]["fields"]
    stranger = client_for(UserFactory()).get("/api/tasks/export/", {"cursor": cursor})
    assert stranger.status_code == 400
    assert owner_client.get("/api/tasks/export/", {"cursor": cursor}).status_code == 200


def test_export_queries_do_not_grow_per_task(owner_client, owner, assert_queries):
    project = ProjectFactory(owner=owner)
    for batch in (30, 60):
        TaskFactory.create_batch(batch // 2, owner=owner)
        for _ in range(batch // 2):
            project_task(project)
        with assert_queries(5):  # ids and places, projects, tasks, labels, reminders
            download(owner_client)


def test_export_then_import_into_a_fresh_account_reproduces_the_tasks(owner_client, collection):
    _, text = download(owner_client)
    newcomer = UserFactory()
    # when
    response = client_for(newcomer).post(IMPORT, json.loads(text), format="json")
    # then
    assert response.status_code == 201
    assert response.json() == {"imported": 3, "labels_created": 2, "projects_created": 0}
    assert shape(newcomer) == shape(collection)
    assert TaskEvent.objects.filter(task__owner=newcomer, kind="imported").count() == 3
    assert not Task.objects.filter(owner=newcomer, title="trashed one").exists()


def test_the_round_trip_reproduces_projects_and_sub_tasks(owner_client, planned):
    data = export_of(owner_client)
    newcomer = UserFactory()
    client = client_for(newcomer)
    # when
    response = client.post(IMPORT, data, format="json")
    # then
    assert response.status_code == 201, response.content
    assert response.json() == {"imported": 8, "labels_created": 1, "projects_created": 2}
    assert shape(newcomer) == shape(planned)
    assert projects_of(newcomer) == projects_of(planned)
    # the importer owns the new projects as if created through the API
    for project in Project.objects.filter(owner=newcomer):
        assert ProjectMember.objects.get(project=project).user == newcomer
        assert ProjectMember.objects.get(project=project).role == "owner"
    garden = client.get("/api/tasks/", {"project": Project.objects.get(owner=newcomer, name="Garden").pk})
    root = next(task for task in garden.json()["results"] if task["title"] == "Redo the garden")
    assert root["subtask_count"] == 2 and root["project"] is not None
    compost = Task.objects.get(owner=newcomer, title="Order compost")
    assert compost.parent.parent.parent.title == "Redo the garden"  # four levels


def test_a_project_whose_name_you_have_takes_the_tasks_and_keeps_its_settings(owner_client, planned):
    data = export_of(owner_client)
    newcomer = UserFactory()
    mine = ProjectFactory(owner=newcomer, name="garden", colour="#123456")
    # when
    response = client_for(newcomer).post(IMPORT, data, format="json")
    # then
    assert response.json()["projects_created"] == 1  # Attic only
    mine.refresh_from_db()
    assert (mine.name, mine.colour, mine.description) == ("garden", "#123456", "")
    assert set(Task.objects.filter(project=mine).values_list("title", flat=True)) == {
        "Redo the garden",
        "Beds",
        "Soil",
        "Order compost",
        "Fence",
    }
    assert Project.objects.filter(owner=newcomer).count() == 2


def test_a_project_name_in_your_trash_is_409_and_nothing_is_written(owner_client, planned):
    data = export_of(owner_client)
    newcomer = UserFactory()
    ProjectFactory(owner=newcomer, name="GARDEN", trashed_at=timezone.now())
    before = database_snapshot()
    # when
    response = client_for(newcomer).post(IMPORT, data, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "project_in_trash"
    assert "'GARDEN' is in the trash" in response.json()["error"]["message"]
    assert database_snapshot() == before
    assert Project.objects.filter(owner=newcomer).count() == 1


def test_an_empty_project_whose_name_is_in_your_trash_is_left_out(owner, owner_client):
    ProjectFactory(owner=owner, name="Someday")
    TaskFactory(owner=owner, title="in the Inbox")
    data = export_of(owner_client)
    importer = UserFactory()
    binned = ProjectFactory(owner=importer, name="someday", trashed_at=timezone.now())
    # when
    response = client_for(importer).post(IMPORT, data, format="json")
    # then
    assert response.json() == {"imported": 1, "labels_created": 0, "projects_created": 0}
    assert list(Project.objects.filter(owner=importer)) == [binned]


def test_importing_the_same_part_twice_is_409_and_a_version_1_file_is_not_checked(owner_client, planned):
    data = export_of(owner_client)
    client = client_for(UserFactory())
    assert client.post(IMPORT, data, format="json").status_code == 201
    count = Task.objects.count()
    # when: the same part again (a retried upload)
    again = client.post(IMPORT, data, format="json")
    # then
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_imported"
    assert Task.objects.count() == count
    # a file without an export id (hand-made, or version 1) imports as often as it is sent
    plain = {"version": 1, "tasks": [{"title": "again and again"}]}
    assert client.post(IMPORT, plain, format="json").status_code == 201
    assert client.post(IMPORT, plain, format="json").status_code == 201


def test_a_part_whose_tasks_went_to_the_trash_imports_again(owner_client, planned):
    data = export_of(owner_client)
    importer = UserFactory()
    client = client_for(importer)
    assert client.post(IMPORT, data, format="json").status_code == 201
    Task.objects.filter(owner=importer).update(trashed_at=timezone.now())
    assert client.post(IMPORT, data, format="json").status_code == 201


def test_a_version_1_file_still_imports_into_the_inbox(owner):
    body = {
        "format": "tms-tasks",
        "version": 1,
        "exported_at": "2026-11-27T14:00:00+00:00",
        "tasks": [
            {
                "title": "old",
                "status": "done",
                "priority": "low",
                "labels": [{"name": "x"}],
                "created_at": None,
            },
            {"title": "older"},
        ],
    }
    response = client_for(owner).post(IMPORT, body, format="json")
    assert response.status_code == 201
    assert response.json() == {"imported": 2, "labels_created": 1, "projects_created": 0}
    assert set(Task.objects.values_list("title", "project", "parent")) == {
        ("old", None, None),
        ("older", None, None),
    }


def test_import_reuses_existing_labels_by_name(owner):
    LabelFactory(owner=owner, name="Home")
    body = {"tasks": [{"title": "t", "labels": [{"name": "home"}]}]}
    response = client_for(owner).post(IMPORT, body, format="json")
    assert response.json() == {"imported": 1, "labels_created": 0, "projects_created": 0}
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
    response = owner_client.post(IMPORT, body, format="json")
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["tasks"]
    assert set(rows) == {"1", "3"}
    assert set(rows["1"]) == {"title", "status"}
    assert set(rows["3"]) == {"priority", "labels"}
    assert not Task.objects.exists() and not Label.objects.exists()


def test_a_file_breaking_the_hierarchy_rules_is_400_naming_each_row(owner, owner_client):
    body = {
        "projects": [{"ref": "a", "name": "A"}, {"ref": "b", "name": "B"}],
        "tasks": [
            {"ref": "1", "project": "a", "title": "level 1"},
            {"ref": "2", "project": "a", "parent": "1", "title": "level 2"},
            {"ref": "3", "project": "a", "parent": "2", "title": "level 3"},
            {"ref": "4", "project": "a", "parent": "3", "title": "level 4"},
            {"ref": "5", "project": "a", "parent": "4", "title": "level 5"},  # 4: too deep
            {"ref": "6", "project": "b", "parent": "1", "title": "other project"},  # 5
            {"ref": "7", "parent": "1", "title": "in the Inbox"},  # 6: the Inbox is not project a
            {"ref": "8", "project": "a", "parent": "9", "title": "before its parent"},  # 7
            {"ref": "9", "project": "a", "title": "the parent"},
            {"ref": "10", "parent": "nowhere", "title": "unknown parent"},  # 9
            {"ref": "1", "title": "same ref"},  # 10
            {"ref": "11", "project": "c", "title": "unknown project"},  # 11
            {"ref": "12", "parent": "12", "title": "its own parent"},  # 12
        ],
    }
    before = database_snapshot()
    # when
    response = owner_client.post(IMPORT, body, format="json")
    # then
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["tasks"]
    assert set(rows) == {"4", "5", "6", "7", "9", "10", "11", "12"}
    assert rows["4"] == {"parent": ["Sub-tasks go at most 4 levels deep."]}
    assert rows["5"] == rows["6"] == {"parent": ["A sub-task's parent must be a task of the same project."]}
    assert "comes before this row" in rows["7"]["parent"][0]
    assert "'nowhere'" in rows["9"]["parent"][0]
    assert rows["10"] == {"ref": ["Another task of this file has this ref."]}
    assert "'c'" in rows["11"]["project"][0]
    assert "comes before this row" in rows["12"]["parent"][0]
    assert database_snapshot() == before and not Project.objects.exists()


def test_a_file_with_bad_projects_is_400_naming_each(owner_client):
    body = {
        "projects": [
            {"ref": "a", "name": "A"},
            {"ref": "a", "name": "a"},
            {"ref": "c", "name": "", "colour": "green", "archived": "yes"},
        ],
        "tasks": [],
    }
    response = owner_client.post(IMPORT, body, format="json")
    assert response.status_code == 400
    projects = response.json()["error"]["fields"]["projects"]
    assert set(projects) == {"2"}  # the shapes first; duplicates once every project is well formed
    assert set(projects["2"]) == {"name", "colour", "archived"}
    body["projects"].pop()
    duplicates = owner_client.post(IMPORT, body, format="json").json()["error"]["fields"]["projects"]
    assert set(duplicates["1"]) == {"ref", "name"}


def test_new_projects_count_against_the_projects_quota_before_anything_is_written(
    owner_client, owner, settings
):
    settings.TMS_QUOTA_PROJECTS = 3
    ProjectFactory(owner=owner, name="one")
    ProjectFactory(owner=owner, name="zero")
    body = {
        "projects": [{"ref": "a", "name": "one"}, {"ref": "b", "name": "two"}, {"ref": "c", "name": "three"}]
    }
    body["tasks"] = [{"title": "t", "project": "c"}]
    before = database_snapshot()
    # when
    response = owner_client.post(IMPORT, body, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "quota_exceeded"
    assert (
        "The projects quota is 3 per account: you have 2, and this would add 2"
        in response.json()["error"]["message"]
    )
    assert database_snapshot() == before and Project.objects.count() == 2


def test_a_file_with_more_projects_than_the_quota_is_400(owner_client, settings):
    settings.TMS_QUOTA_PROJECTS = 2
    body = {"projects": [{"ref": str(n), "name": f"project {n}"} for n in range(3)], "tasks": []}
    response = owner_client.post(IMPORT, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["projects"] == [
        "Ensure this field has no more than 2 elements."
    ]
    assert not Project.objects.exists()


def test_the_history_of_an_imported_task_says_where_it_came_from(owner_client, planned):
    data = export_of(owner_client)
    importer = UserFactory()
    client_for(importer).post(IMPORT, data, format="json")
    task = Task.objects.get(owner=importer, title="Beds")
    history = client_for(importer).get(f"/api/tasks/{task.pk}/history/").json()["results"]
    assert [entry["kind"] for entry in history] == ["imported"]
    ref = next(row["ref"] for row in data["tasks"] if row["title"] == "Beds")
    assert history[0]["changes"]["source"] == {"export": data["export"], "part": 1, "ref": ref}


@pytest.mark.parametrize("body", [{}, {"tasks": "nope"}, {"tasks": [1, 2]}, {"format": "other", "tasks": []}])
def test_malformed_imports_are_400(owner_client, body):
    assert owner_client.post(IMPORT, body, format="json").status_code == 400
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"version": 3, "tasks": []},
        {"projects": "nope", "tasks": []},
        {"tasks": [{"title": "t", "project": 5}]},
        {"tasks": [{"title": "t", "parent": 7}]},
        {"part": 0, "export": "e", "tasks": []},
    ],
)
def test_malformed_version_2_imports_are_400(owner_client, body):
    assert owner_client.post(IMPORT, body, format="json").status_code == 400
    assert not Task.objects.exists() and not Project.objects.exists()


def test_import_takes_bodies_up_to_its_own_limit(owner_client, settings):
    settings.TMS_MAX_BODY_BYTES = 2048
    settings.TMS_MAX_IMPORT_BYTES = 64 * 1024
    body = {"tasks": [{"title": f"task {n}", "description": "x" * 100} for n in range(100)]}  # ~15 KB
    assert owner_client.post(IMPORT, body, format="json").status_code == 201
    assert (
        owner_client.post("/api/tasks/", {"title": "t", "description": "x" * 4000}, format="json").status_code
        == 413
    )
    huge = {"tasks": [{"title": "t", "description": "x" * 9000} for _ in range(10)]}  # ~90 KB
    assert owner_client.post(IMPORT, huge, format="json").status_code == 413
