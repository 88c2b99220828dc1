"""Tasks in a shared project: every member reads them, editors and above change them, a viewer's
write is a 403 that changes nothing, and a non-member gets 404 exactly as for a task that does not exist."""

import pytest
from django.utils import timezone

from tasks.models import Task, TaskEvent
from tasks.tests.factories import LabelFactory, ProjectFactory, TaskFactory, project_task
from tasks.tests.sharing import error_code, shared_snapshot

pytestmark = pytest.mark.django_db

READS = [
    ("get", ""),
    ("get", "history/"),
    ("get", "comments/"),
]

# (method, path after /api/tasks/{id}/, body); each is a write an editor may make
WRITES = [
    ("patch", "", {"title": "changed"}),
    ("put", "", {"title": "replaced"}),
    ("delete", "", None),
    ("post", "complete/", None),
    ("post", "reopen/", None),
    ("post", "move/", {"status": "in_progress"}),
    ("post", "comments/", {"body": "a word"}),
]
WRITE_IDS = [f"{method} {path or 'task'}" for method, path, _ in WRITES]

BULK_ACTIONS = [
    ("complete", None),
    ("reopen", None),
    ("trash", None),
    ("set_status", "in_progress"),
    ("set_priority", "high"),
]


@pytest.fixture
def shared(team):
    """A task of the team's project, done (so that reopen has something to do)."""
    return project_task(team.project, title="shared", status="done", completed_at=timezone.now())


@pytest.mark.parametrize("who", ["owner", "admin", "editor", "viewer"])
@pytest.mark.parametrize(("method", "path"), READS)
def test_every_member_reads_a_shared_task(team, shared, who, method, path):
    response = getattr(team.client(who), method)(f"/api/tasks/{shared.pk}/{path}")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("who", ["owner", "admin", "editor", "viewer"])
def test_every_member_lists_a_shared_task(team, shared, who):
    client = team.client(who)
    assert [t["id"] for t in client.get("/api/tasks/").json()["results"]] == [shared.pk]
    assert [t["id"] for t in client.get(f"/api/tasks/?project={team.project.pk}").json()["results"]] == [
        shared.pk
    ]
    assert client.get("/api/tasks/stats/").json()["total"] == 1


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=WRITE_IDS)
def test_a_viewers_write_is_403_and_changes_nothing(team, shared, method, path, body):
    before = shared_snapshot()
    response = getattr(team.client("viewer"), method)(f"/api/tasks/{shared.pk}/{path}", body, format="json")
    assert response.status_code == 403, response.content
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


@pytest.mark.parametrize(("action", "value"), [*BULK_ACTIONS, ("restore", None)])
def test_a_viewers_bulk_action_is_403_and_changes_nothing(team, shared, action, value):
    if action == "restore":
        team.client("editor").delete(f"/api/tasks/{shared.pk}/")
    before = shared_snapshot()
    body = {"ids": [shared.pk], "action": action, **({"value": value} if value else {})}
    response = team.client("viewer").post("/api/tasks/bulk/", body, format="json")
    assert response.status_code == 403, response.content
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_a_viewers_label_on_a_shared_task_is_a_write_too(team, shared):
    label = LabelFactory(owner=team.viewer)
    before = shared_snapshot()
    client = team.client("viewer")
    for response in [
        client.patch(f"/api/tasks/{shared.pk}/", {"labels": [label.pk]}, format="json"),
        client.post(
            "/api/tasks/bulk/", {"ids": [shared.pk], "action": "add_label", "value": label.pk}, format="json"
        ),
    ]:
        assert response.status_code == 403
    assert shared_snapshot() == before


def test_a_viewer_may_not_restore_or_purge_a_trashed_shared_task(team, shared):
    team.client("editor").delete(f"/api/tasks/{shared.pk}/")
    # the viewer sees it in the trash, but may not take it out or delete it
    trash = team.client("viewer").get("/api/tasks/trash/").json()["results"]
    assert [t["id"] for t in trash] == [shared.pk]
    before = shared_snapshot()
    for method, path in [
        ("post", f"/api/tasks/{shared.pk}/restore/"),
        ("delete", f"/api/tasks/trash/{shared.pk}/"),
    ]:
        response = getattr(team.client("viewer"), method)(path)
        assert response.status_code == 403, path
        assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_a_bulk_request_with_one_read_only_task_changes_none(team, shared):
    own = project_task(ProjectFactory(owner=team.viewer, name="viewer's own"))
    before = shared_snapshot()
    response = team.client("viewer").post(
        "/api/tasks/bulk/",
        {"ids": [own.pk, shared.pk], "action": "set_priority", "value": "high"},
        format="json",
    )
    assert response.status_code == 403
    assert shared_snapshot() == before


@pytest.mark.parametrize("who", ["owner", "admin", "editor"])
@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=WRITE_IDS)
def test_an_editor_and_above_write(team, shared, who, method, path, body):
    if path == "complete/":  # something to complete
        Task.objects.filter(pk=shared.pk).update(status="todo", completed_at=None)
    response = getattr(team.client(who), method)(f"/api/tasks/{shared.pk}/{path}", body, format="json")
    assert response.status_code in (200, 201, 204), response.content
    event = TaskEvent.objects.filter(task=shared).latest("id")
    assert event.actor_id == team.user(who).pk


@pytest.mark.parametrize(("action", "value"), BULK_ACTIONS)
def test_an_editor_applies_bulk_actions(team, shared, action, value):
    body = {"ids": [shared.pk], "action": action, **({"value": value} if value else {})}
    response = team.client("editor").post("/api/tasks/bulk/", body, format="json")
    assert response.status_code == 200, response.content


def test_an_editor_restores_a_trashed_shared_task(team, shared):
    team.client("admin").delete(f"/api/tasks/{shared.pk}/")
    assert team.client("editor").post(f"/api/tasks/{shared.pk}/restore/").status_code == 200
    assert Task.objects.get(pk=shared.pk).trashed_at is None


@pytest.mark.parametrize(
    ("who", "expected"), [("viewer", 403), ("editor", 403), ("admin", 204), ("owner", 204)]
)
def test_purging_a_shared_task_from_the_trash_needs_an_admin(team, shared, who, expected):
    team.client("editor").delete(f"/api/tasks/{shared.pk}/")
    response = team.client(who).delete(f"/api/tasks/trash/{shared.pk}/")
    assert response.status_code == expected
    assert Task.objects.filter(pk=shared.pk).exists() == (expected == 403)


@pytest.mark.parametrize(("method", "path", "body"), [*[(m, p, None) for m, p in READS], *WRITES])
def test_a_non_member_gets_404_as_for_a_missing_task(team, shared, method, path, body):
    client = team.client("stranger")
    before = shared_snapshot()
    response = getattr(client, method)(f"/api/tasks/{shared.pk}/{path}", body, format="json")
    missing = getattr(client, method)(f"/api/tasks/987654/{path}", body, format="json")
    assert response.status_code == missing.status_code == 404
    assert error_code(response) == error_code(missing) == "not_found"
    assert shared_snapshot() == before


def test_a_non_member_sees_nothing_of_the_project_in_lists(team, shared):
    client = team.client("stranger")
    assert client.get("/api/tasks/").json()["results"] == []
    assert (
        client.get(f"/api/tasks/?project={team.project.pk}").status_code == 404
    )  # as for a project that does not exist
    assert client.get(f"/api/tasks/?parent={shared.pk}").json()["results"] == []
    assert client.get("/api/tasks/stats/").json()["total"] == 0
    team.client("editor").delete(f"/api/tasks/{shared.pk}/")
    assert client.get("/api/tasks/trash/").json()["results"] == []


def test_a_non_members_bulk_and_trash_requests_are_404(team, shared):
    client = team.client("stranger")
    before = shared_snapshot()
    bulk = {"ids": [shared.pk], "action": "complete"}
    assert client.post("/api/tasks/bulk/", bulk, format="json").status_code == 404
    assert shared_snapshot() == before
    team.client("editor").delete(f"/api/tasks/{shared.pk}/")
    before = shared_snapshot()
    assert client.post(f"/api/tasks/{shared.pk}/restore/").status_code == 404
    assert client.delete(f"/api/tasks/trash/{shared.pk}/").status_code == 404
    assert shared_snapshot() == before


# --- creating in a project --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "editor"])
def test_an_editor_and_above_create_tasks_in_the_project_owned_by_its_owner(team, who):
    response = team.client(who).post(
        "/api/tasks/", {"title": "new", "project": team.project.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["project"] == team.project.pk
    task = Task.objects.get(pk=response.json()["id"])
    assert task.owner_id == team.owner.pk  # counts against the project owner's quota
    assert [t["id"] for t in team.client("viewer").get("/api/tasks/").json()["results"]] == [task.pk]


def test_a_viewer_creating_a_task_in_the_project_is_403(team):
    before = shared_snapshot()
    response = team.client("viewer").post(
        "/api/tasks/", {"title": "new", "project": team.project.pk}, format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_a_task_in_a_project_you_are_not_in_is_a_400_on_project(team):
    before = shared_snapshot()
    for project_id in (team.project.pk, 987654):
        response = team.client("stranger").post(
            "/api/tasks/", {"title": "new", "project": project_id}, format="json"
        )
        assert response.status_code == 400
        assert "project" in response.json()["error"]["fields"]
    assert shared_snapshot() == before


def test_a_task_in_a_trashed_project_is_a_400(team):
    team.client("owner").delete(f"/api/tasks/projects/{team.project.pk}/")
    response = team.client("owner").post(
        "/api/tasks/", {"title": "new", "project": team.project.pk}, format="json"
    )
    assert response.status_code == 400


def test_a_project_task_counts_against_the_project_owners_quota(team, settings):
    settings.TMS_QUOTA_TASKS = 1
    project_task(team.project)
    response = team.client("editor").post(
        "/api/tasks/", {"title": "new", "project": team.project.pk}, format="json"
    )
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    # the editor's own quota is untouched: their Inbox takes a task
    assert team.client("editor").post("/api/tasks/", {"title": "mine"}, format="json").status_code == 201


@pytest.mark.parametrize("value", ["abc", -1, 0, True, [1]])
def test_a_bad_project_value_is_400(owner_client, value):
    response = owner_client.post("/api/tasks/", {"title": "x", "project": value}, format="json")
    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]


def test_a_shared_task_moves_on_its_projects_board_only(team, shared):
    own = TaskFactory(owner=team.editor, status="done")
    other = project_task(team.project, status="done")
    client = team.client("editor")
    # next to a task of the editor's Inbox: not on this board
    refused = client.post(f"/api/tasks/{shared.pk}/move/", {"before_id": own.pk}, format="json")
    assert refused.status_code == 400
    assert "before_id" in refused.json()["error"]["fields"]
    mixed = client.post(f"/api/tasks/{own.pk}/move/", {"after_id": shared.pk}, format="json")
    assert mixed.status_code == 400
    # next to a task of the same project: fine
    moved = client.post(f"/api/tasks/{shared.pk}/move/", {"before_id": other.pk}, format="json")
    assert moved.status_code == 200
    assert moved.json()["position"] < Task.objects.get(pk=other.pk).position


def test_listing_a_project_you_are_not_in_is_404_exactly_like_a_missing_one(team):
    client = team.client("stranger")
    hidden = client.get(f"/api/tasks/?project={team.project.pk}")
    missing = client.get("/api/tasks/?project=987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    # also when named next to the Inbox or a project they are in
    assert client.get(f"/api/tasks/?project=inbox&project={team.project.pk}").status_code == 404
    assert team.client("viewer").get(f"/api/tasks/?project=inbox,{team.project.pk}").status_code == 200
