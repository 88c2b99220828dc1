"""Members: added by username or e-mail address, given roles, removed or leaving; a removed member
loses the project on their next request."""

import pytest

from accounts.tests.factories import UserFactory
from tasks.models import Comment, ProjectMember, Task
from tasks.tests.factories import ProjectFactory, project_task
from tasks.tests.sharing import error_code, shared_snapshot
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def members_url(team, user_id: int | None = None) -> str:
    base = f"/api/tasks/projects/{team.project.pk}/members/"
    return base if user_id is None else f"{base}{user_id}/"


def add(client, team, name: str, role: str = "editor"):
    return client.post(members_url(team), {"user": name, "role": role}, format="json")


def roles(team) -> dict[str, str]:
    return dict(ProjectMember.objects.filter(project=team.project).values_list("user__username", "role"))


# --- the list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "editor", "viewer"])
def test_every_member_reads_the_member_list_owner_first(team, who):
    response = team.client(who).get(members_url(team))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(m["user"]["username"], m["role"]) for m in results] == [
        ("boss", "owner"), ("admin1", "admin"), ("editor1", "editor"), ("viewer1", "viewer"),
    ]  # fmt: skip
    assert set(results[0]) == {"user", "role", "created_at"}
    assert set(results[0]["user"]) == {"id", "username", "display_name"}


def test_a_non_member_gets_404_for_the_member_list(team):
    assert team.client("stranger").get(members_url(team)).status_code == 404


# --- adding by username -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin"])
@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
def test_the_owner_or_an_admin_adds_a_member_by_username(team, who, role):
    newcomer = UserFactory(username="Newcomer")
    response = add(team.client(who), team, "newcomer", role)  # any case
    assert response.status_code == 201, response.content
    assert response.json()["user"]["id"] == newcomer.pk
    assert response.json()["role"] == role
    assert roles(team)["Newcomer"] == role
    # the newcomer sees the project at once, with their role
    projects = client_for(newcomer).get("/api/tasks/projects/").json()["results"]
    assert [(p["id"], p["role"]) for p in projects] == [(team.project.pk, role)]


def test_the_role_defaults_to_editor(team):
    UserFactory(username="newcomer")
    response = team.client("owner").post(members_url(team), {"user": "newcomer"}, format="json")
    assert response.status_code == 201
    assert response.json()["role"] == "editor"


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_an_editor_or_viewer_may_not_add_members(team, who):
    UserFactory(username="newcomer")
    before = shared_snapshot()
    response = add(team.client(who), team, "newcomer")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_a_non_member_adding_a_member_gets_404(team):
    UserFactory(username="newcomer")
    assert add(team.client("stranger"), team, "newcomer").status_code == 404
    assert "newcomer" not in roles(team)


def test_an_unknown_username_is_a_400_on_the_user_field(team):
    response = add(team.client("owner"), team, "nobody-here")
    assert response.status_code == 400
    assert "user" in response.json()["error"]["fields"]


def test_an_inactive_account_cannot_be_added(team):
    UserFactory(username="asleep", is_active=False)
    assert add(team.client("owner"), team, "asleep").status_code == 400


def test_an_existing_member_is_409_already_member(team):
    response = add(team.client("owner"), team, "viewer1", "admin")
    assert response.status_code == 409
    assert error_code(response) == "already_member"
    assert roles(team)["viewer1"] == "viewer"  # unchanged


def test_adding_the_same_person_twice_in_a_row_makes_one_membership(team):
    UserFactory(username="newcomer")
    first = add(team.client("owner"), team, "newcomer")
    second = add(team.client("admin"), team, "newcomer")
    assert (first.status_code, second.status_code) == (201, 409)
    assert ProjectMember.objects.filter(project=team.project, user__username="newcomer").count() == 1


@pytest.mark.parametrize("role", ["owner", "boss", "", None])
def test_the_owner_role_cannot_be_given_and_unknown_roles_are_400(team, role):
    UserFactory(username="newcomer")
    response = team.client("owner").post(members_url(team), {"user": "newcomer", "role": role}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    assert "newcomer" not in roles(team)


@pytest.mark.parametrize("body", [{"user": ""}, {"user": 5}, {}, {"user": "x", "colour": "red"}])
def test_a_bad_member_body_is_400(team, body):
    assert team.client("owner").post(members_url(team), body, format="json").status_code == 400


# --- adding by e-mail address -----------------------------------------------------------------------


def test_an_email_address_answers_the_same_for_a_known_and_an_unknown_address(team):
    known = UserFactory(username="known", email="known@example.com")
    client = team.client("owner")
    # when
    for_known = add(client, team, "Known@Example.com", "viewer")
    for_unknown = add(client, team, "nobody@example.com", "viewer")
    for_member = add(client, team, team.editor.email, "viewer")
    # then: nothing in the answer tells whether the address has an account
    assert for_known.status_code == for_unknown.status_code == for_member.status_code == 202
    assert for_known.content == for_unknown.content == for_member.content
    assert set(for_known.json()) == {"detail"}
    # and the account with that address is a member now, listed with its role
    assert roles(team)["known"] == "viewer"
    assert roles(team)["editor1"] == "editor"  # an existing member keeps their role
    listed = [m["user"]["id"] for m in client.get(members_url(team)).json()["results"]]
    assert known.pk in listed


def test_a_full_project_answers_the_same_for_a_known_and_an_unknown_address(team, settings):
    settings.TMS_QUOTA_PROJECT_MEMBERS = 4  # the team is 4 already
    UserFactory(username="known", email="known@example.com")
    client = team.client("owner")
    for_known = add(client, team, "known@example.com")
    for_unknown = add(client, team, "nobody@example.com")
    assert for_known.status_code == for_unknown.status_code == 409
    # the same error, but for the id every answer carries to find it in the logs
    known_error, unknown_error = for_known.json()["error"], for_unknown.json()["error"]
    assert known_error.pop("request_id") != unknown_error.pop("request_id")
    assert known_error == unknown_error
    assert "known" not in roles(team)


# --- roles -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_or_an_admin_changes_a_role(team, who):
    response = team.client(who).patch(members_url(team, team.viewer.pk), {"role": "editor"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    assert response.json()["user"]["id"] == team.viewer.pk
    assert roles(team)["viewer1"] == "editor"
    # the new role counts at once
    task = project_task(team.project)
    response = team.client("viewer").patch(f"/api/tasks/{task.pk}/", {"title": "now"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_an_editor_or_viewer_may_not_change_roles(team, who):
    before = shared_snapshot()
    response = team.client(who).patch(members_url(team, team.viewer.pk), {"role": "admin"}, format="json")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owners_role_does_not_change(team, who):
    response = team.client(who).patch(members_url(team, team.owner.pk), {"role": "viewer"}, format="json")
    assert response.status_code == 400
    assert roles(team)["boss"] == "owner"


def test_nobody_is_made_owner_by_a_role_change(team):
    response = team.client("owner").patch(members_url(team, team.admin.pk), {"role": "owner"}, format="json")
    assert response.status_code == 400
    assert roles(team)["admin1"] == "admin"


def test_changing_the_role_of_a_non_member_is_404(team):
    url = members_url(team, team.stranger.pk)
    response = team.client("owner").patch(url, {"role": "viewer"}, format="json")
    assert response.status_code == 404
    assert not ProjectMember.objects.filter(user=team.stranger).exists()


# --- removing and leaving ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_or_an_admin_removes_a_member(team, who):
    response = team.client(who).delete(members_url(team, team.editor.pk))
    assert response.status_code == 204
    assert "editor1" not in roles(team)


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_an_editor_or_viewer_may_not_remove_someone_else(team, who):
    before = shared_snapshot()
    response = team.client(who).delete(members_url(team, team.admin.pk))
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


@pytest.mark.parametrize("who", ["admin", "editor", "viewer"])
def test_any_member_may_leave(team, who):
    user = team.user(who)
    assert team.client(who).delete(members_url(team, user.pk)).status_code == 204
    assert user.username not in roles(team)
    assert team.client(who).get("/api/tasks/projects/").json()["results"] == []


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_the_owner_can_neither_leave_nor_be_removed(team, who):
    response = team.client(who).delete(members_url(team, team.owner.pk))
    assert response.status_code == 400
    assert roles(team)["boss"] == "owner"


def test_removing_a_non_member_is_404(team):
    assert team.client("owner").delete(members_url(team, team.stranger.pk)).status_code == 404


def test_a_removed_members_next_request_is_404_everywhere(team):
    task = project_task(team.project)
    editor = team.client("editor")
    comment_id = editor.post(f"/api/tasks/{task.pk}/comments/", {"body": "mine"}, format="json").json()["id"]
    assert editor.get(f"/api/tasks/{task.pk}/").status_code == 200
    # when
    assert team.client("admin").delete(members_url(team, team.editor.pk)).status_code == 204
    # then: the project and everything in it is gone for them, from their very next request
    for path in [
        f"/api/tasks/projects/{team.project.pk}/",
        members_url(team),
        f"/api/tasks/{task.pk}/",
        f"/api/tasks/{task.pk}/history/",
        f"/api/tasks/{task.pk}/comments/",
    ]:
        assert editor.get(path).status_code == 404, path
    for method, path, body in [
        ("patch", f"/api/tasks/{task.pk}/", {"title": "still here?"}),
        ("post", f"/api/tasks/{task.pk}/complete/", None),
        ("post", f"/api/tasks/{task.pk}/comments/", {"body": "hello?"}),
        ("patch", f"/api/tasks/{task.pk}/comments/{comment_id}/", {"body": "edited"}),
        ("delete", f"/api/tasks/{task.pk}/comments/{comment_id}/", None),
        ("post", "/api/tasks/bulk/", {"ids": [task.pk], "action": "complete"}),
        ("post", "/api/tasks/", {"title": "sneak in", "project": team.project.pk}),
    ]:
        response = getattr(editor, method)(path, body, format="json")
        assert response.status_code in (400, 404), (method, path)
    assert (
        editor.get(f"/api/tasks/?project={team.project.pk}").status_code == 404
    )  # as for a project that does not exist
    assert editor.get("/api/tasks/").json()["results"] == []
    assert editor.get("/api/tasks/projects/").json()["results"] == []
    assert Task.objects.get(pk=task.pk).title == task.title
    assert Comment.objects.get(pk=comment_id).body == "mine"


def test_a_removed_members_assignments_in_the_project_go(team):
    task, other = project_task(team.project), project_task(team.project)
    elsewhere = ProjectFactory(owner=team.owner, name="elsewhere")
    ProjectMember.objects.create(project=elsewhere, user=team.editor, role="editor")
    kept = project_task(elsewhere)
    for assigned in (task, other, kept):
        assigned.assignees.add(team.editor, team.viewer)
    team.client("owner").delete(members_url(team, team.editor.pk))
    assert list(task.assignees.all()) == [team.viewer]
    assert list(other.assignees.all()) == [team.viewer]
    assert set(kept.assignees.all()) == {team.editor, team.viewer}  # another project's stay


def test_a_member_who_leaves_loses_their_assignments_too(team):
    task = project_task(team.project)
    task.assignees.add(team.viewer)
    team.client("viewer").delete(members_url(team, team.viewer.pk))
    assert not task.assignees.exists()


def test_a_removed_member_can_be_added_again(team):
    team.client("owner").delete(members_url(team, team.editor.pk))
    assert add(team.client("owner"), team, "editor1", "viewer").status_code == 201
    assert roles(team)["editor1"] == "viewer"


# --- limits ------------------------------------------------------------------------------------------


def test_a_project_holds_at_most_the_member_quota(team, settings):
    settings.TMS_QUOTA_PROJECT_MEMBERS = 5  # the owner included; the team has 4
    for name in ("fifth", "sixth"):
        UserFactory(username=name)
    assert add(team.client("owner"), team, "fifth").status_code == 201
    response = add(team.client("owner"), team, "sixth")
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    assert ProjectMember.objects.filter(project=team.project).count() == 5


def test_invitations_are_rate_limited(team, settings, monkeypatch):
    monkeypatch.setattr("tms_project.ratelimit.time.time", lambda: 1_700_000_040.5)  # one window
    settings.TMS_RATE_LIMITS = {**settings.TMS_RATE_LIMITS, "project_invite": "2/h"}
    client = team.client("owner")
    statuses = [add(client, team, f"someone{n}@example.com").status_code for n in range(2)]
    UserFactory(username="late")
    limited = add(client, team, "late")
    assert statuses == [202, 202]
    assert limited.status_code == 429
    assert error_code(limited) == "throttled"
    assert "late" not in roles(team)
    # another admin's budget is their own
    assert add(team.client("admin"), team, "late").status_code == 201


def test_assignments_a_removal_takes_are_in_the_tasks_history(team):
    task = project_task(team.project)
    task.assignees.add(team.editor, team.viewer)
    version = task.version
    team.client("admin").delete(members_url(team, team.editor.pk))
    event = team.client("viewer").get(f"/api/tasks/{task.pk}/history/").json()["results"][0]
    assert (event["kind"], event["actor_id"]) == ("updated", team.admin.pk)
    assert event["changes"] == {"assignees": [["editor1", "viewer1"], ["viewer1"]]}
    assert Task.objects.get(pk=task.pk).version == version + 1  # an ETag read before no longer matches
