"""Exports of any size import back: the JSON export comes in parts of at most 5,000 tasks and
TMS_MAX_IMPORT_BYTES, each what one import takes, and parents in earlier parts are found again."""

import json
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # a dependency of drf-spectacular (requirements.txt)
import pytest
from django.db import connection
from django.db.models import Prefetch
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import UserFactory
from tasks import positions
from tasks.models import Label, Project, Task
from tasks.services.transfer import MAX_IMPORT_TASKS
from tasks.tests.factories import LabelFactory, ProjectFactory, TaskFactory, project_task
from tasks.tests.test_rate_limits import assert_limited
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

EXPORT = "/api/tasks/export/"
IMPORT = "/api/tasks/import/"


@pytest.fixture
def limits(settings):
    def _set(**rates: str) -> None:
        settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, **rates}

    return _set


def fetch(client, url: str, **params) -> tuple[Any, bytes]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content if not response.streaming else ""
    return response, b"".join(response.streaming_content)


def all_parts(client) -> list[bytes]:
    """Every part of one export, following ``next``."""
    parts = []
    _, body = fetch(client, EXPORT)
    parts.append(body)
    while (following := json.loads(body)["next"]) is not None:
        _, body = fetch(client, following)
        parts.append(body)
    return parts


def shape(user) -> list[tuple]:
    """Everything a person owns outside the trash, without ids."""
    labels = Prefetch("labels", queryset=Label.objects.filter(owner=user))
    tasks = (
        Task.objects.filter(owner=user, trashed_at__isnull=True)
        .select_related("project", "parent__parent__parent")
        .prefetch_related(labels)
    )

    def ancestry(task: Task) -> tuple:
        chain = []
        parent = task.parent
        while parent is not None:
            chain.append(parent.title)
            parent = parent.parent
        return tuple(chain)

    return sorted(
        (
            t.title,
            t.description,
            t.status,
            t.priority,
            t.project.name if t.project else None,
            ancestry(t),
            tuple(sorted(label.name for label in t.labels.all())),
        )
        for t in tasks
    )


def projects_of(user) -> list[tuple]:
    return sorted(Project.objects.filter(owner=user).values_list("name", "description", "colour", "archived"))


def bulk_tasks(
    owner, count: int, *, project=None, parents=None, prefix: str, start: int = 0, status: str | None = None
) -> list[Task]:
    """``count`` tasks inserted at once, in board order; with ``parents``, task i is a sub-task of
    parents[i]."""
    rows = [
        Task(
            owner=owner,
            project=project,
            parent=parents[index] if parents else None,
            title=f"{prefix} {index}",
            status=status or ("todo", "in_progress", "done")[index % 3],
            priority=index % 5,
            position=(start + index + 1) * positions.GAP,
        )
        for index in range(count)
    ]
    return Task.objects.bulk_create(rows, batch_size=1000)


@pytest.fixture
def big(owner):
    """5,202 tasks: 2,002 in the Inbox, then 800 four-level trees in a project, so that the first
    part (5,000) ends inside a tree, after its first two levels."""
    label = LabelFactory(owner=owner, name="bulk")
    inbox = bulk_tasks(owner, 2_002, prefix="inbox")
    Task.labels.through.objects.bulk_create(
        [Task.labels.through(task_id=task.pk, label_id=label.pk) for task in inbox[:300]]
    )
    project = ProjectFactory(owner=owner, name="Big", description="lots", colour="#abcdef")
    ProjectFactory(owner=owner, name="Empty", archived=True)
    level = bulk_tasks(owner, 800, project=project, prefix="root", start=10_000, status="todo")
    for depth in ("child", "grandchild", "leaf"):
        level = bulk_tasks(owner, 800, project=project, parents=level, prefix=depth, start=10_000)
    assert Task.objects.filter(owner=owner).count() == 5_202
    return owner


def test_an_export_of_more_than_5000_tasks_comes_in_parts_that_import_back_whole(big, owner_client):
    # when
    parts = [json.loads(part) for part in all_parts(owner_client)]
    # then: two parts of one export, the first full
    assert [len(part["tasks"]) for part in parts] == [MAX_IMPORT_TASKS, 202]
    assert [part["part"] for part in parts] == [1, 2]
    assert parts[0]["export"] == parts[1]["export"]
    assert [project["name"] for project in parts[1]["projects"]] == ["Big", "Empty"]
    refs_of_part_1 = {task["ref"] for task in parts[0]["tasks"]}
    crossing = [task for task in parts[1]["tasks"] if task["parent"] in refs_of_part_1]
    assert [task["title"] for task in crossing] == ["grandchild 749"]  # its parent is in part 1
    # when: a second account imports them one after the other
    newcomer = UserFactory()
    client = client_for(newcomer)
    first = client.post(IMPORT, parts[0], format="json")
    second = client.post(IMPORT, parts[1], format="json")
    # then
    assert first.status_code == 201, first.content[:500]
    assert first.json() == {"imported": 5_000, "labels_created": 1, "projects_created": 2}
    assert second.status_code == 201, second.content[:500]
    assert second.json() == {"imported": 202, "labels_created": 0, "projects_created": 0}
    assert shape(newcomer) == shape(big)
    assert projects_of(newcomer) == projects_of(big)
    leaf = Task.objects.get(owner=newcomer, title="leaf 749")
    assert leaf.parent.parent.parent.title == "root 749"


def test_a_later_part_alone_names_the_rows_whose_parents_are_in_an_earlier_part(big, owner_client):
    parts = [json.loads(part) for part in all_parts(owner_client)]
    client = client_for(UserFactory())
    # when
    response = client.post(IMPORT, parts[1], format="json")
    # then
    assert response.status_code == 400
    rows = response.json()["error"]["fields"]["tasks"]
    assert list(rows) == ["0"]  # grandchild 749; the leaf under it has its parent in this part
    assert "import the parts in order" in rows["0"]["parent"][0]
    assert not Task.objects.exclude(owner=big).exists() and Project.objects.exclude(owner=big).count() == 0


def test_every_part_is_within_the_import_body_limit_and_they_all_import(owner, owner_client, settings):
    # given: a small import limit and tasks with long descriptions, some of them sub-tasks
    settings.TMS_MAX_IMPORT_BYTES = 24 * 1024
    project = ProjectFactory(owner=owner, name="Prose")
    parent = None
    for n in range(60):
        parent = project_task(
            project, title=f"chapter {n}", description="é" * 900, parent=parent if n % 4 else None
        )
    # when
    parts = all_parts(owner_client)
    # then
    assert len(parts) > 3
    second, _ = fetch(owner_client, json.loads(parts[0])["next"])
    export = json.loads(parts[0])["export"]
    assert second["Content-Disposition"] == f'attachment; filename="tms-tasks-{export}-part-2.json"'
    assert all(len(part) <= settings.TMS_MAX_IMPORT_BYTES for part in parts)
    newcomer = UserFactory()
    client = client_for(newcomer)
    for part in parts:
        response = client.post(IMPORT, data=part, content_type="application/json")
        assert response.status_code == 201, response.content[:500]
    assert shape(newcomer) == shape(owner)


def test_a_part_export_and_import_spend_the_budget_of_one(owner, owner_client, settings, limits):
    settings.TMS_MAX_IMPORT_BYTES = 8 * 1024
    TaskFactory.create_batch(40, owner=owner, description="x" * 500)
    limits(tasks_export="2/h", tasks_import="2/h")
    # when: every part of one export is downloaded (a later part needs one unit free, and gives it back)
    parts = all_parts(owner_client)
    assert len(parts) >= 3
    client = client_for(UserFactory())
    for part in parts:
        assert client.post(IMPORT, data=part, content_type="application/json").status_code == 201
    # then: one export and one import were counted; one more of each fits, then the budget is spent
    assert owner_client.get(EXPORT, {"format": "csv"}).status_code == 200
    assert_limited(owner_client.get(EXPORT), 3600)
    assert client.post(IMPORT, {"tasks": [{"title": "one more"}]}, format="json").status_code == 201
    assert_limited(client.post(IMPORT, {"tasks": [{"title": "too many"}]}, format="json"), 3600)


def test_a_part_imported_again_is_refused_and_spends_the_budget(owner, owner_client, settings, limits):
    settings.TMS_MAX_IMPORT_BYTES = 8 * 1024
    TaskFactory.create_batch(40, owner=owner, description="x" * 500)
    parts = all_parts(owner_client)
    limits(tasks_import="3/h")
    client = client_for(UserFactory())
    assert client.post(IMPORT, data=parts[0], content_type="application/json").status_code == 201
    assert (
        client.post(IMPORT, data=parts[1], content_type="application/json").status_code == 201
    )  # given back
    for _ in range(2):
        again = client.post(IMPORT, data=parts[1], content_type="application/json")
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_imported"
    assert_limited(client.post(IMPORT, data=parts[2], content_type="application/json"), 3600)


def test_imports_work_where_the_database_returns_no_ids_from_a_bulk_insert(owner, owner_client, monkeypatch):
    # given: MySQL's behaviour (MariaDB and SQLite return ids)
    project = ProjectFactory(owner=owner, name="Home")
    top = project_task(project, title="top")
    project_task(project, title="below", parent=top).labels.add(LabelFactory(owner=owner, name="l"))
    body = fetch(owner_client, EXPORT)[1]
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    newcomer = UserFactory()
    # when
    response = client_for(newcomer).post(IMPORT, data=body, content_type="application/json")
    # then
    assert response.status_code == 201, response.content
    assert shape(newcomer) == shape(owner)
    assert projects_of(newcomer) == projects_of(owner)


# -- the documented schema is what the export gives and the import takes -------------------------------
def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def openapi() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def validator(openapi: dict, ref: str) -> jsonschema.Draft202012Validator:
    root = {"components": _json_schema(openapi["components"]), "$ref": ref}
    return jsonschema.Draft202012Validator(root)


def test_every_part_matches_the_documented_schema_and_the_import_takes_as_many(big, owner_client, openapi):
    operation = openapi["paths"]["/api/tasks/export/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    export_file = validator(openapi, ref)
    for part in all_parts(owner_client):
        errors = [error.message for error in export_file.iter_errors(json.loads(part))]
        assert errors == []
    components = openapi["components"]["schemas"]
    assert components[ref.rsplit("/", 1)[1]]["properties"]["tasks"]["maxItems"] == MAX_IMPORT_TASKS
    request = openapi["paths"]["/api/tasks/import/"]["post"]["requestBody"]["content"]["application/json"]
    import_ref = request["schema"]["$ref"].rsplit("/", 1)[1]
    assert components[import_ref]["properties"]["tasks"]["maxItems"] == MAX_IMPORT_TASKS


def test_a_part_with_projects_matches_the_schema_of_an_import(owner, owner_client, openapi):
    project = ProjectFactory(owner=owner, name="Home")
    top = project_task(project, title="top", due_date="2026-12-01")
    project_task(project, title="below", parent=top, status="done")
    TaskFactory(owner=owner, title="inbox")
    request = openapi["paths"]["/api/tasks/import/"]["post"]["requestBody"]["content"]["application/json"]
    document = json.loads(fetch(owner_client, EXPORT)[1])
    assert [
        error.message for error in validator(openapi, request["schema"]["$ref"]).iter_errors(document)
    ] == []
