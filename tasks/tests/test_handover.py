"""Deleting an account hands each shared project it owns to a remaining member (tasks.services.handover);
a project nobody else is in goes with the account. Driven through DELETE /api/auth/me/ and the admin;
asserted as the remaining members see it through the task API."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from tasks.models import Comment, Label, Project, ProjectMember, Task
from tasks.tests.factories import ProjectFactory, TaskFactory, project_task
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def delete_account(user: User, password: str = PASSWORD):
    """The person signs in and deletes their account, as the web app does."""
    client = APIClient()
    signed_in = client.post(
        "/api/auth/login/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert signed_in.status_code == 200, signed_in.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['access']}")
    return client.delete("/api/auth/me/", {"password": password}, format="json")


def join(project: Project, user: User, role: str, days_ago: int) -> ProjectMember:
    member = ProjectMember.objects.create(project=project, user=user, role=role)
    ProjectMember.objects.filter(pk=member.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return member


def members_seen_by(user: User, project_id: int) -> list[tuple[str, str]]:
    response = client_for(user).get(f"/api/tasks/projects/{project_id}/members/")
    assert response.status_code == 200, response.content
    return [(row["user"]["username"], row["role"]) for row in response.json()["results"]]


def project_seen_by(user: User, project_id: int) -> dict:
    response = client_for(user).get(f"/api/tasks/projects/{project_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def task_titles_seen_by(user: User, project_id: int) -> list[str]:
    response = client_for(user).get(f"/api/tasks/?project={project_id}&page_size=100")
    assert response.status_code == 200, response.content
    return sorted(task["title"] for task in response.json()["results"])


@pytest.fixture
def boss(db):
    return UserFactory(username="boss")


@pytest.fixture
def launch(boss):
    return ProjectFactory(owner=boss, name="Launch")


def test_a_shared_project_goes_to_its_longest_standing_admin(boss, launch):
    early_admin, late_admin, editor, viewer = (UserFactory(username=n) for n in ("ada", "bea", "eve", "vic"))
    join(launch, late_admin, "admin", days_ago=3)
    join(launch, early_admin, "admin", days_ago=5)
    join(launch, editor, "editor", days_ago=30)  # longer in the project, but an editor
    join(launch, viewer, "viewer", days_ago=40)
    parent = project_task(launch, title="plan")
    project_task(launch, title="step", parent=parent)
    project_task(launch, title="binned", trashed_at=timezone.now())
    TaskFactory(owner=boss, title="boss's own inbox task")
    boss_comment = client_for(boss).post(
        f"/api/tasks/{parent.pk}/comments/", {"body": "kick-off"}, format="json"
    )
    assert boss_comment.status_code == 201, boss_comment.content
    # when
    response = delete_account(boss)
    # then
    assert response.status_code == 204, response.content
    assert not User.objects.filter(username="boss").exists()
    seen = project_seen_by(early_admin, launch.pk)
    assert (seen["name"], seen["role"], seen["owner"]["username"]) == ("Launch", "owner", "ada")
    for other, role in ((late_admin, "admin"), (editor, "editor"), (viewer, "viewer")):
        seen = project_seen_by(other, launch.pk)
        assert (seen["role"], seen["owner"]["username"]) == (role, "ada")
    assert members_seen_by(viewer, launch.pk) == [
        ("ada", "owner"),
        ("vic", "viewer"),
        ("eve", "editor"),
        ("bea", "admin"),
    ]  # the owner first, then by join time
    assert task_titles_seen_by(editor, launch.pk) == ["plan", "step"]
    assert task_titles_seen_by(early_admin, launch.pk) == ["plan", "step"]
    # the tasks, the trashed one too, now count against the new owner's quota
    assert set(Task.objects.filter(project=launch).values_list("owner__username", flat=True)) == {"ada"}
    assert not Task.objects.filter(title="boss's own inbox task").exists()
    comments = client_for(viewer).get(f"/api/tasks/{parent.pk}/comments/").json()["results"]
    assert [(c["author"], c["body"]) for c in comments] == [(None, "kick-off")]


def test_with_no_admin_the_longest_standing_editor_inherits(boss, launch):
    first, second, viewer = (UserFactory(username=n) for n in ("ed1", "ed2", "vi1"))
    join(launch, second, "editor", days_ago=1)
    join(launch, first, "editor", days_ago=2)
    join(launch, viewer, "viewer", days_ago=9)
    assert delete_account(boss).status_code == 204
    assert project_seen_by(viewer, launch.pk)["owner"]["username"] == "ed1"
    assert project_seen_by(first, launch.pk)["role"] == "owner"


def test_with_only_viewers_left_the_longest_standing_viewer_inherits_rather_than_losing_the_work(
    boss, launch
):
    # docs/decisions.md: deleting would take work away from people who were reading it
    first, second = UserFactory(username="reader1"), UserFactory(username="reader2")
    join(launch, second, "viewer", days_ago=1)
    join(launch, first, "viewer", days_ago=2)
    project_task(launch, title="spec")
    assert delete_account(boss).status_code == 204
    assert members_seen_by(second, launch.pk) == [("reader1", "owner"), ("reader2", "viewer")]
    assert task_titles_seen_by(first, launch.pk) == ["spec"]
    # as owner, the former viewer may now change it
    renamed = client_for(first).patch(f"/api/tasks/projects/{launch.pk}/", {"name": "Mine"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Mine"


def test_an_active_member_inherits_before_a_deactivated_one(boss, launch):
    gone_admin, editor = UserFactory(username="gone", is_active=False), UserFactory(username="stays")
    join(launch, gone_admin, "admin", days_ago=10)
    join(launch, editor, "editor", days_ago=1)
    assert delete_account(boss).status_code == 204
    assert project_seen_by(editor, launch.pk)["role"] == "owner"
    assert ProjectMember.objects.get(project=launch, user=gone_admin).role == "admin"


def test_projects_nobody_else_is_in_go_with_the_account_and_their_tasks(boss, launch):
    solo_task = project_task(launch, title="alone")
    member = UserFactory(username="member")
    binned = ProjectFactory(owner=boss, name="Old", trashed_at=timezone.now())
    join(binned, member, "admin", days_ago=5)  # shared, but its owner already deleted it
    old_task = project_task(binned, title="old", trashed_at=binned.trashed_at)
    assert delete_account(boss).status_code == 204
    assert not Project.objects.filter(pk__in=[launch.pk, binned.pk]).exists()
    assert not Task.objects.filter(pk__in=[solo_task.pk, old_task.pk]).exists()
    assert client_for(member).get("/api/tasks/projects/").json()["results"] == []
    assert client_for(member).get(f"/api/tasks/projects/{binned.pk}/").status_code == 404


def test_a_name_the_new_owner_already_uses_gets_the_old_owners_name_added(boss, launch):
    heir = UserFactory(username="heir")
    join(launch, heir, "admin", days_ago=1)
    ProjectFactory(owner=heir, name="LAUNCH")
    ProjectFactory(owner=heir, name="launch (from boss)")
    long_one = ProjectFactory(owner=boss, name="x" * 100)
    join(long_one, heir, "editor", days_ago=1)
    ProjectFactory(owner=heir, name="X" * 100)
    assert delete_account(boss).status_code == 204
    names = sorted(p["name"] for p in client_for(heir).get("/api/tasks/projects/").json()["results"])
    assert "Launch (from boss 2)" in names
    assert "x" * 88 + " (from boss)" in names  # cut to fit 100 characters
    assert project_seen_by(heir, launch.pk)["name"] == "Launch (from boss 2)"


def test_the_new_owners_quota_may_be_exceeded_and_then_they_add_nothing(boss, launch, settings):
    settings.TMS_QUOTA_TASKS = 3
    heir = UserFactory(username="heir")
    join(launch, heir, "admin", days_ago=1)
    TaskFactory.create_batch(2, owner=heir)
    for n in range(2):
        project_task(launch, title=f"inherited {n}")
    assert delete_account(boss).status_code == 204
    assert task_titles_seen_by(heir, launch.pk) == ["inherited 0", "inherited 1"]
    refused = client_for(heir).post("/api/tasks/", {"title": "one more"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "quota_exceeded"


def test_leaving_someone_elses_project_keeps_it_and_the_comments_without_an_author(boss):
    owner = UserFactory(username="keeper")
    theirs = ProjectFactory(owner=owner, name="Theirs")
    join(theirs, boss, "editor", days_ago=3)
    task = project_task(theirs, title="shared")
    task.assignees.add(boss, owner)
    said = client_for(boss).post(
        f"/api/tasks/{task.pk}/comments/", {"body": "done on my side"}, format="json"
    )
    assert said.status_code == 201
    boss_label = Label.objects.create(owner=boss, name="mine")
    task.labels.add(boss_label)
    version = client_for(owner).get(f"/api/tasks/{task.pk}/").json()["version"]
    assert delete_account(boss).status_code == 204
    assert members_seen_by(owner, theirs.pk) == [("keeper", "owner")]
    detail = client_for(owner).get(f"/api/tasks/{task.pk}/").json()
    assert [a["username"] for a in detail["assignees"]] == ["keeper"]
    # as when a member is removed: the change is in the task's history and its version (ETag)
    assert detail["version"] == version + 1
    newest = client_for(owner).get(f"/api/tasks/{task.pk}/history/").json()["results"][0]
    assert (newest["kind"], newest["changes"]) == ("updated", {"assignees": [["boss", "keeper"], ["keeper"]]})
    assert detail["labels"] == []
    comments = client_for(owner).get(f"/api/tasks/{task.pk}/comments/").json()["results"]
    assert [(c["author"], c["body"]) for c in comments] == [(None, "done on my side")]
    assert Comment.objects.get().author_id is None


def test_a_wrong_password_hands_nothing_over(boss, launch):
    heir = UserFactory(username="heir")
    join(launch, heir, "admin", days_ago=1)
    assert delete_account(boss, password="not the password").status_code == 400
    assert project_seen_by(heir, launch.pk)["owner"]["username"] == "boss"


def test_a_delete_that_fails_after_the_hand_over_undoes_it(boss, launch, monkeypatch):
    # the hand-over and the delete are one transaction
    from accounts.services.users import user_remove

    heir = UserFactory(username="heir")
    join(launch, heir, "admin", days_ago=1)
    project_task(launch, title="kept")

    def failing_delete(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(User, "delete", failing_delete)
    with pytest.raises(RuntimeError, match="went away"):
        user_remove(user=boss)
    launch.refresh_from_db()
    assert launch.owner_id == boss.pk
    assert ProjectMember.objects.get(project=launch, user=heir).role == "admin"
    assert set(Task.objects.filter(project=launch).values_list("owner_id", flat=True)) == {boss.pk}


# --- the admin's deletes ------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_deleting_a_user_in_the_admin_hands_their_shared_projects_over(staff_client, boss, launch):
    heir = UserFactory(username="heir")
    join(launch, heir, "editor", days_ago=1)
    project_task(launch, title="kept")
    solo = ProjectFactory(owner=boss, name="Solo only")
    page = staff_client.get(f"/admin/accounts/user/{boss.pk}/delete/").content.decode()
    # the confirmation lists what will go: the solo project, not the one that is handed over
    assert "Solo only" in page and "Launch" not in page
    assert Project.objects.get(pk=launch.pk).owner_id == boss.pk  # the preview changed nothing
    response = staff_client.post(f"/admin/accounts/user/{boss.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=boss.pk).exists()
    assert project_seen_by(heir, launch.pk)["role"] == "owner"
    assert task_titles_seen_by(heir, launch.pk) == ["kept"]
    assert not Project.objects.filter(pk=solo.pk).exists()


def test_the_admins_delete_selected_action_hands_over_too(staff_client, boss, launch):
    other_owner = UserFactory(username="other")
    theirs = ProjectFactory(owner=other_owner, name="Theirs")
    heir = UserFactory(username="heir")
    join(launch, heir, "admin", days_ago=1)
    join(theirs, heir, "viewer", days_ago=1)
    response = staff_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [boss.pk, other_owner.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[boss.pk, other_owner.pk]).exists()
    owned = {p["name"]: p["role"] for p in client_for(heir).get("/api/tasks/projects/").json()["results"]}
    assert owned == {"Launch": "owner", "Theirs": "owner"}


def test_the_member_list_pages_with_the_new_owner_first(boss, launch):
    people = [UserFactory(username=f"m{n}") for n in range(4)]
    for n, person in enumerate(people):
        join(launch, person, "editor" if n else "viewer", days_ago=10 - n)
    assert delete_account(boss).status_code == 204  # m1, the first editor, inherits
    client, seen, url = client_for(people[0]), [], f"/api/tasks/projects/{launch.pk}/members/?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [(row["user"]["username"], row["role"]) for row in page["results"]]
        url = page["next"]
    assert seen == [("m1", "owner"), ("m0", "viewer"), ("m2", "editor"), ("m3", "editor")]
    back = client.get(page["previous"]).json()["results"]
    assert [row["user"]["username"] for row in back] == ["m2"]
