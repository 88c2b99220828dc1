"""Assignees: up to ten members of the task's project (on an Inbox task, only its owner), shown as
people, recorded in the history by username."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import ProjectMember, Task
from tasks.services.members import MAX_ASSIGNEES
from tasks.tests.factories import ProjectFactory, TaskFactory, project_task
from tasks.tests.sharing import shared_snapshot

pytestmark = pytest.mark.django_db


def ref(user) -> dict:
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def test_a_new_task_is_assigned_to_members_and_shows_them_by_username(team):
    response = team.client("editor").post(
        "/api/tasks/",
        {"title": "assigned", "project": team.project.pk, "assignees": [team.viewer.pk, team.admin.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["assignees"] == [ref(team.admin), ref(team.viewer)]
    task = Task.objects.get(pk=response.json()["id"])
    assert set(task.assignees.all()) == {team.admin, team.viewer}
    created = team.client("viewer").get(f"/api/tasks/{task.pk}/history/").json()["results"][0]
    assert created["kind"] == "created"
    assert created["changes"]["assignees"] == ["admin1", "viewer1"]


def test_patch_replaces_the_assignees_and_the_history_names_them(team):
    task = project_task(team.project)
    task.assignees.add(team.editor)
    client = team.client("editor")
    response = client.patch(
        f"/api/tasks/{task.pk}/", {"assignees": [team.owner.pk, team.viewer.pk]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["assignees"] == [ref(team.owner), ref(team.viewer)]
    assert client.get(f"/api/tasks/{task.pk}/").json()["assignees"] == [ref(team.owner), ref(team.viewer)]
    event = client.get(f"/api/tasks/{task.pk}/history/").json()["results"][0]
    assert event["changes"]["assignees"] == [["editor1"], ["boss", "viewer1"]]
    # clearing them
    cleared = client.patch(f"/api/tasks/{task.pk}/", {"assignees": []}, format="json")
    assert cleared.json()["assignees"] == []
    event = client.get(f"/api/tasks/{task.pk}/history/").json()["results"][0]
    assert event["changes"]["assignees"] == [["boss", "viewer1"], []]


def test_setting_the_same_assignees_records_nothing(team):
    task = project_task(team.project)
    task.assignees.add(team.editor)
    client = team.client("editor")
    client.patch(f"/api/tasks/{task.pk}/", {"assignees": [team.editor.pk, team.editor.pk]}, format="json")
    assert task.events.count() == 0
    assert list(task.assignees.all()) == [team.editor]


def test_the_list_shows_assignees(team):
    task = project_task(team.project)
    task.assignees.add(team.viewer)
    listed = team.client("owner").get("/api/tasks/").json()["results"]
    assert listed[0]["assignees"] == [ref(team.viewer)]


def test_a_non_member_assignee_is_a_400_and_nothing_changes(team):
    task = project_task(team.project)
    before = shared_snapshot()
    for assignees in ([team.stranger.pk], [team.editor.pk, team.stranger.pk], [987654]):
        response = team.client("editor").patch(
            f"/api/tasks/{task.pk}/", {"assignees": assignees}, format="json"
        )
        assert response.status_code == 400, assignees
        assert "assignees" in response.json()["error"]["fields"]
    response = team.client("editor").post(
        "/api/tasks/",
        {"title": "x", "project": team.project.pk, "assignees": [team.stranger.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert shared_snapshot() == before


def test_a_member_of_another_project_of_the_same_owner_is_no_assignee_here(team):
    elsewhere = ProjectFactory(owner=team.owner, name="elsewhere")
    ProjectMember.objects.create(project=elsewhere, user=team.stranger, role="editor")
    task = project_task(team.project)
    refused = team.client("owner").patch(
        f"/api/tasks/{task.pk}/", {"assignees": [team.stranger.pk]}, format="json"
    )
    assert refused.status_code == 400
    # a task of that project takes them
    there = project_task(elsewhere)
    ok = team.client("owner").patch(
        f"/api/tasks/{there.pk}/", {"assignees": [team.stranger.pk]}, format="json"
    )
    assert ok.status_code == 200


def test_up_to_ten_assignees(team):
    people = [UserFactory(username=f"helper{n}") for n in range(MAX_ASSIGNEES + 1)]
    for person in people:
        ProjectMember.objects.create(project=team.project, user=person, role="viewer")
    task = project_task(team.project)
    client = team.client("editor")
    ten = client.patch(f"/api/tasks/{task.pk}/", {"assignees": [p.pk for p in people[:10]]}, format="json")
    assert ten.status_code == 200
    assert len(ten.json()["assignees"]) == 10
    eleven = client.patch(f"/api/tasks/{task.pk}/", {"assignees": [p.pk for p in people]}, format="json")
    assert eleven.status_code == 400
    assert "assignees" in eleven.json()["error"]["fields"]
    assert task.assignees.count() == 10


def test_an_inbox_task_is_assigned_only_to_its_owner(owner_client, owner, stranger):
    task = TaskFactory(owner=owner)
    mine = owner_client.patch(f"/api/tasks/{task.pk}/", {"assignees": [owner.pk]}, format="json")
    assert mine.status_code == 200
    assert mine.json()["assignees"] == [ref(owner)]
    refused = owner_client.patch(f"/api/tasks/{task.pk}/", {"assignees": [stranger.pk]}, format="json")
    assert refused.status_code == 400
    assert "assignees" in refused.json()["error"]["fields"]
    created = owner_client.post("/api/tasks/", {"title": "x", "assignees": [stranger.pk]}, format="json")
    assert created.status_code == 400
    assert list(task.assignees.all()) == [owner]


@pytest.mark.parametrize("value", [["1"], [0], [-4], [True], "1", 5, None, [[1]], [{"id": 1}]])
def test_bad_assignee_values_are_400(owner_client, owner, value):
    task = TaskFactory(owner=owner)
    response = owner_client.patch(f"/api/tasks/{task.pk}/", {"assignees": value}, format="json")
    assert response.status_code == 400, value
    assert "assignees" in response.json()["error"]["fields"]


def test_a_viewer_can_be_assigned_but_cannot_assign(team):
    task = project_task(team.project)
    assert (
        team.client("editor")
        .patch(f"/api/tasks/{task.pk}/", {"assignees": [team.viewer.pk]}, format="json")
        .status_code
        == 200
    )
    before = shared_snapshot()
    response = team.client("viewer").patch(f"/api/tasks/{task.pk}/", {"assignees": []}, format="json")
    assert response.status_code == 403
    assert shared_snapshot() == before
    assert [t["id"] for t in team.client("viewer").get("/api/tasks/?assignee=me").json()["results"]] == [
        task.pk
    ]


def test_put_keeps_the_assignees_when_they_are_not_sent(team):
    task = project_task(team.project)
    task.assignees.add(team.viewer)
    response = team.client("editor").put(f"/api/tasks/{task.pk}/", {"title": "replaced"}, format="json")
    assert response.status_code == 200
    assert response.json()["assignees"] == [ref(team.viewer)]
