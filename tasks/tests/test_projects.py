"""Projects: create, read, change, archive, trash and restore; names unique per owner in any case."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks.models import Project, ProjectMember, Task
from tasks.tests.factories import ProjectFactory, ProjectMemberFactory, TaskFactory, project_task
from tasks.tests.sharing import error_code, shared_snapshot
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def create(client, **body):
    return client.post("/api/tasks/projects/", body, format="json")


def listed_ids(client, query: str = "") -> list[int]:
    return [task["id"] for task in client.get(f"/api/tasks/{query}").json()["results"]]


# --- create and read -------------------------------------------------------------------------------


def test_create_answers_the_project_with_the_caller_as_owner(owner_client, owner):
    response = create(owner_client, name="  Garden  ", description="Spring", colour="#00ff00")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Garden"  # surrounding spaces trimmed
    assert body["description"] == "Spring"
    assert body["colour"] == "#00ff00"
    assert body["archived"] is False
    assert body["role"] == "owner"
    assert body["owner"] == {"id": owner.pk, "username": "owner", "display_name": owner.display_name}
    assert set(body) == {
        "id", "name", "description", "colour", "archived", "owner", "role", "created_at", "updated_at",
    }  # fmt: skip
    assert ProjectMember.objects.get(project_id=body["id"]).role == "owner"
    assert owner_client.get(f"/api/tasks/projects/{body['id']}/").json() == body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({}, "name"),
        ({"name": "ok", "colour": "red"}, "colour"),
        ({"name": "ok", "members": []}, "members"),
    ],
)
def test_a_bad_project_is_a_400_naming_the_field(owner_client, body, field):
    response = create(owner_client, **body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Project.objects.exists()


def test_a_project_may_be_created_archived(owner_client):
    # the field is writable: taken, not silently dropped
    response = create(owner_client, name="Someday", archived=True)
    assert response.status_code == 201
    assert response.json()["archived"] is True
    assert Project.objects.get().archived is True


def test_names_of_1_and_100_characters_are_fine(owner_client):
    assert create(owner_client, name="x").status_code == 201
    assert create(owner_client, name="y" * 100).status_code == 201


@pytest.mark.parametrize("other", ["garden", "GARDEN", "Garden", " gArDeN "])
def test_a_name_is_unique_per_owner_in_any_case(owner_client, other):
    assert create(owner_client, name="Garden").status_code == 201
    response = create(owner_client, name=other)
    assert response.status_code == 409
    assert error_code(response) == "name_taken"
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("first", "second"), [("100%", "100x"), ("a_b", "axb"), ("back\\slash", "backslash")]
)
def test_names_that_differ_only_where_a_pattern_would_match_are_different_names(owner_client, first, second):
    # the comparison is of the names, not a pattern: no character is a wildcard
    assert create(owner_client, name=first).status_code == 201
    assert create(owner_client, name=second).status_code == 201
    assert create(owner_client, name=first.upper()).status_code == 409


def test_a_trashed_projects_name_is_still_taken(owner_client):
    project_id = create(owner_client, name="Garden").json()["id"]
    assert owner_client.delete(f"/api/tasks/projects/{project_id}/").status_code == 204
    response = create(owner_client, name="GARDEN")
    assert response.status_code == 409
    assert error_code(response) == "name_taken"


def test_another_owner_may_use_the_same_name(owner_client, stranger):
    assert create(owner_client, name="Garden").status_code == 201
    assert create(client_for(stranger), name="garden").status_code == 201


def test_renaming_to_a_taken_name_is_409_and_changing_only_the_case_is_fine(owner_client):
    create(owner_client, name="Garden")
    house = create(owner_client, name="House").json()["id"]
    response = owner_client.patch(f"/api/tasks/projects/{house}/", {"name": "garden"}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "name_taken"
    renamed = owner_client.patch(f"/api/tasks/projects/{house}/", {"name": "HOUSE"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "HOUSE"


def test_the_projects_quota_counts_the_trash(owner_client, settings):
    settings.TMS_QUOTA_PROJECTS = 2
    first = create(owner_client, name="one").json()["id"]
    assert create(owner_client, name="two").status_code == 201
    owner_client.delete(f"/api/tasks/projects/{first}/")
    response = create(owner_client, name="three")
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    assert Project.objects.count() == 2


def test_the_project_quota_is_per_owner_and_shared_projects_do_not_count(owner, settings):
    settings.TMS_QUOTA_PROJECTS = 1
    theirs = ProjectFactory()
    ProjectMemberFactory(project=theirs, user=owner, role="admin")
    assert create(client_for(owner), name="mine").status_code == 201


def test_a_non_member_gets_404_like_a_missing_project(team):
    client = team.client("stranger")
    before = shared_snapshot()
    for method, body in [("get", None), ("patch", {"name": "x"}), ("delete", None)]:
        response = getattr(client, method)(f"/api/tasks/projects/{team.project.pk}/", body, format="json")
        missing = getattr(client, method)("/api/tasks/projects/987654/", body, format="json")
        assert response.status_code == missing.status_code == 404, method
        assert error_code(response) == error_code(missing) == "not_found"
    assert shared_snapshot() == before


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_each_project_with_the_callers_role_by_name(team):
    mine = ProjectFactory(owner=team.editor, name="alpha")
    ProjectFactory(name="not shared")  # someone else's
    for who, expected in [
        ("owner", [("Launch", "owner")]),
        ("admin", [("Launch", "admin")]),
        ("editor", [("alpha", "owner"), ("Launch", "editor")]),
        ("viewer", [("Launch", "viewer")]),
        ("stranger", []),
    ]:
        results = team.client(who).get("/api/tasks/projects/").json()["results"]
        assert [(p["name"], p["role"]) for p in results] == expected, who
    assert mine.pk in [p["id"] for p in team.client("editor").get("/api/tasks/projects/").json()["results"]]


def test_the_list_filters_archived(owner_client):
    active = create(owner_client, name="active").json()["id"]
    old = create(owner_client, name="old").json()["id"]
    owner_client.patch(f"/api/tasks/projects/{old}/", {"archived": True}, format="json")

    def ids(query: str) -> list[int]:
        return [p["id"] for p in owner_client.get(f"/api/tasks/projects/{query}").json()["results"]]

    assert ids("") == [active, old]
    assert ids("?archived=true") == [old]
    assert ids("?archived=false") == [active]
    assert owner_client.get("/api/tasks/projects/?archived=maybe").status_code == 400


def test_the_list_leaves_trashed_projects_out_and_the_trash_lists_them(owner_client):
    kept = create(owner_client, name="kept").json()["id"]
    gone = create(owner_client, name="gone").json()["id"]
    owner_client.delete(f"/api/tasks/projects/{gone}/")
    assert [p["id"] for p in owner_client.get("/api/tasks/projects/").json()["results"]] == [kept]
    trash = owner_client.get("/api/tasks/projects/trash/").json()["results"]
    assert [p["id"] for p in trash] == [gone]
    assert trash[0]["trashed_at"] is not None
    assert trash[0]["role"] == "owner"


def test_the_list_is_ordered_by_name_in_any_case_and_pages(owner_client):
    for name in ["beta", "Alpha", "gamma", "Delta"]:
        create(owner_client, name=name)
    first = owner_client.get("/api/tasks/projects/?page_size=2").json()
    second = owner_client.get(first["next"]).json()
    assert [p["name"] for p in first["results"] + second["results"]] == ["Alpha", "beta", "Delta", "gamma"]
    assert second["next"] is None


# --- change ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_and_an_admin_change_the_project(team, who):
    response = team.client(who).patch(
        f"/api/tasks/projects/{team.project.pk}/",
        {"name": "Renamed", "description": "new", "colour": "#123456", "archived": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"], body["colour"], body["archived"], body["role"]) == (
        "Renamed", "new", "#123456", True, who,
    )  # fmt: skip


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_an_editor_or_viewer_may_not_change_the_project(team, who):
    before = shared_snapshot()
    response = team.client(who).patch(
        f"/api/tasks/projects/{team.project.pk}/", {"name": "Mine now"}, format="json"
    )
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_patch_rejects_bad_values(owner_client, owner):
    project = ProjectFactory(owner=owner)
    for body in [{"name": ""}, {"archived": "perhaps"}, {"colour": "#12345"}, {"owner_id": 3}]:
        response = owner_client.patch(f"/api/tasks/projects/{project.pk}/", body, format="json")
        assert response.status_code == 400, body


# --- archive -----------------------------------------------------------------------------------------


def test_an_archived_projects_tasks_leave_the_default_list_but_stay_readable(team):
    task = project_task(team.project, title="archived work")
    inbox = TaskFactory(owner=team.editor, title="my own")
    team.client("owner").patch(f"/api/tasks/projects/{team.project.pk}/", {"archived": True}, format="json")
    client = team.client("editor")
    assert listed_ids(client) == [inbox.pk]
    assert listed_ids(client, f"?project={team.project.pk}") == [task.pk]
    assert client.get(f"/api/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/api/tasks/{task.pk}/history/").status_code == 200
    # un-archived, they are back
    team.client("admin").patch(f"/api/tasks/projects/{team.project.pk}/", {"archived": False}, format="json")
    assert sorted(listed_ids(client)) == sorted([inbox.pk, task.pk])


# --- trash and restore -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
def test_only_the_owner_deletes_a_project(team, who):
    project_task(team.project)
    before = shared_snapshot()
    response = team.client(who).delete(f"/api/tasks/projects/{team.project.pk}/")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_deleting_takes_the_project_and_its_tasks_to_the_trash_and_restore_brings_them_back(team):
    client = team.client("owner")
    live, already = project_task(team.project), project_task(team.project)
    assert client.delete(f"/api/tasks/{already.pk}/").status_code == 204
    # when
    assert client.delete(f"/api/tasks/projects/{team.project.pk}/").status_code == 204
    # then: gone for every member, everywhere
    for who in ["owner", "editor"]:
        member = team.client(who)
        assert member.get(f"/api/tasks/projects/{team.project.pk}/").status_code == 404
        assert member.get(f"/api/tasks/{live.pk}/").status_code == 404
        assert listed_ids(member) == []
        assert member.get("/api/tasks/trash/").json()["results"] == []
    assert Task.objects.filter(project=team.project, trashed_at__isnull=True).count() == 0
    # when restored
    response = client.post(f"/api/tasks/projects/{team.project.pk}/restore/")
    assert response.status_code == 200
    assert response.json()["id"] == team.project.pk
    assert "trashed_at" not in response.json()
    # then: the project and the task trashed with it are back; the task trashed before stays in the trash
    assert listed_ids(team.client("editor")) == [live.pk]
    assert [t["id"] for t in client.get("/api/tasks/trash/").json()["results"]] == [already.pk]
    assert client.get("/api/tasks/projects/trash/").json()["results"] == []


@pytest.mark.parametrize("who", ["admin", "editor", "stranger"])
def test_only_the_owner_restores_a_project(team, who):
    team.client("owner").delete(f"/api/tasks/projects/{team.project.pk}/")
    response = team.client(who).post(f"/api/tasks/projects/{team.project.pk}/restore/")
    assert response.status_code == 404  # a trashed project is no longer there for its members
    assert Project.objects.get().trashed_at is not None


def test_restoring_a_project_that_is_not_in_the_trash_is_404(owner_client, owner):
    project = ProjectFactory(owner=owner)
    assert owner_client.post(f"/api/tasks/projects/{project.pk}/restore/").status_code == 404


def test_the_task_history_records_the_project_trash_and_restore(owner_client, owner):
    project = ProjectFactory(owner=owner)
    task = project_task(project)
    owner_client.delete(f"/api/tasks/projects/{project.pk}/")
    owner_client.post(f"/api/tasks/projects/{project.pk}/restore/")
    kinds = [event["kind"] for event in owner_client.get(f"/api/tasks/{task.pk}/history/").json()["results"]]
    assert kinds == ["restored", "trashed"]


def test_purge_trash_removes_old_trashed_projects_with_their_tasks(owner_client, owner):
    old, recent, live = (ProjectFactory(owner=owner, name=name) for name in ("old", "recent", "live"))
    old_tasks = [project_task(old) for _ in range(3)]
    recent_task, live_task = project_task(recent), project_task(live)
    for project in (old, recent):
        owner_client.delete(f"/api/tasks/projects/{project.pk}/")
    long_ago = timezone.now() - timedelta(days=31)
    Project.objects.filter(pk=old.pk).update(trashed_at=long_ago)
    Task.objects.filter(pk__in=[t.pk for t in old_tasks]).update(trashed_at=long_ago)
    # when
    call_command("purge_trash", "--days", "30")
    # then
    assert set(Project.objects.values_list("name", flat=True)) == {"recent", "live"}
    assert not Task.objects.filter(pk__in=[t.pk for t in old_tasks]).exists()
    assert set(Task.objects.values_list("pk", flat=True)) == {recent_task.pk, live_task.pk}
    assert not ProjectMember.objects.filter(project_id=old.pk).exists()


def test_purge_trash_removes_a_trashed_project_whose_tasks_were_restored_elsewhere(owner_client, owner):
    # a project trashed long ago whose tasks' trashed_at differs (one was trashed on its own before)
    project = ProjectFactory(owner=owner)
    task = project_task(project, trashed_at=timezone.now() - timedelta(days=2))
    Project.objects.filter(pk=project.pk).update(trashed_at=timezone.now() - timedelta(days=40))
    call_command("purge_trash", "--days", "30")
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Task.objects.filter(pk=task.pk).exists()


def test_a_member_of_many_projects_lists_them_in_constant_queries(owner):
    client = client_for(owner)

    def queries_of_the_list(expected_count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/tasks/projects/").json()["results"]) == expected_count
        return len(queries.captured_queries)

    for _ in range(2):
        ProjectMemberFactory(project=ProjectFactory(), user=owner, role="viewer")
    few = queries_of_the_list(2)
    for _ in range(30):
        ProjectMemberFactory(project=ProjectFactory(), user=owner, role="editor")
    assert queries_of_the_list(32) == few == 1
