"""Comments: plain text on a task, read by every member, written by editors and above; the author
edits, the author or an admin deletes; each is in the task's history without its text."""

import pytest

from accounts.services.users import user_delete
from accounts.tests.factories import PASSWORD
from tasks.models import Comment
from tasks.tests.factories import TaskFactory, project_task
from tasks.tests.sharing import error_code, shared_snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(team):
    return project_task(team.project, title="discussed")


def url(task, comment_id: int | None = None) -> str:
    base = f"/api/tasks/{task.pk}/comments/"
    return base if comment_id is None else f"{base}{comment_id}/"


def post(client, task, body):
    return client.post(url(task), {"body": body}, format="json")


@pytest.fixture
def by_editor(team, task):
    """A comment by the editor."""
    response = post(team.client("editor"), task, "first thoughts")
    assert response.status_code == 201
    return response.json()


def test_an_editor_comments_and_every_member_reads_it(team, task):
    response = post(team.client("editor"), task, "  Looks good to me  ")
    assert response.status_code == 201, response.content
    comment = response.json()
    assert set(comment) == {"id", "author", "body", "created_at", "updated_at", "edited"}
    assert comment["author"] == {
        "id": team.editor.pk,
        "username": "editor1",
        "display_name": team.editor.display_name,
    }
    assert comment["body"] == "Looks good to me"
    assert comment["edited"] is False
    for who in ("owner", "admin", "editor", "viewer"):
        listed = team.client(who).get(url(task))
        assert listed.status_code == 200
        assert listed.json()["results"] == [comment], who


def test_comments_are_listed_oldest_first_in_pages(team, task):
    for n in range(5):
        post(team.client("editor"), task, f"comment {n}")
    first = team.client("viewer").get(f"{url(task)}?page_size=3").json()
    rest = team.client("viewer").get(first["next"]).json()
    assert [c["body"] for c in first["results"] + rest["results"]] == [f"comment {n}" for n in range(5)]


def test_a_viewer_cannot_comment(team, task):
    before = shared_snapshot()
    response = post(team.client("viewer"), task, "may I?")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_the_owner_of_an_inbox_task_comments_on_it(owner_client, owner):
    task = TaskFactory(owner=owner)
    assert post(owner_client, task, "note to self").status_code == 201


@pytest.mark.parametrize("who", ["stranger"])
def test_a_non_member_gets_404_for_comments(team, task, by_editor, who):
    client = team.client(who)
    before = shared_snapshot()
    for method, path, body in [
        ("get", url(task), None),
        ("post", url(task), {"body": "hi"}),
        ("patch", url(task, by_editor["id"]), {"body": "hi"}),
        ("delete", url(task, by_editor["id"]), None),
    ]:
        assert getattr(client, method)(path, body, format="json").status_code == 404, (method, path)
    assert shared_snapshot() == before


def test_ten_thousand_characters_are_fine(team, task):
    response = post(team.client("editor"), task, "x" * 10_000)
    assert response.status_code == 201
    assert len(response.json()["body"]) == 10_000


@pytest.mark.parametrize("body", ["x" * 10_001, "", "   ", 5, None, ["text"], {"text": "x"}, True, "nul\x00"])
def test_a_bad_body_is_400(team, task, body):
    response = post(team.client("editor"), task, body)
    assert response.status_code == 400, body
    assert "body" in response.json()["error"]["fields"]
    assert not Comment.objects.exists()


def test_unknown_fields_and_a_missing_body_are_400(team, task):
    client = team.client("editor")
    assert client.post(url(task), {}, format="json").status_code == 400
    assert (
        client.post(url(task), {"body": "x", "author": 1, "pinned": True}, format="json").status_code == 400
    )


def test_html_comes_back_as_the_same_literal_text(team, task):
    body = '<script>alert("x")</script> & <b>bold</b>'
    created = post(team.client("editor"), task, body)
    assert created.json()["body"] == body
    assert team.client("viewer").get(url(task)).json()["results"][0]["body"] == body
    assert Comment.objects.get().body == body


# --- editing -----------------------------------------------------------------------------------------


def test_the_author_edits_their_comment(team, task, by_editor):
    response = team.client("editor").patch(
        url(task, by_editor["id"]), {"body": "second thoughts"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["body"] == "second thoughts"
    assert response.json()["edited"] is True
    assert response.json()["created_at"] == by_editor["created_at"]
    assert team.client("viewer").get(url(task)).json()["results"][0]["edited"] is True


@pytest.mark.parametrize("who", ["owner", "admin", "viewer"])
def test_only_the_author_edits(team, task, by_editor, who):
    before = shared_snapshot()
    response = team.client(who).patch(url(task, by_editor["id"]), {"body": "not yours"}, format="json")
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


def test_an_edit_to_a_bad_body_is_400(team, task, by_editor):
    for body in ("", "y" * 10_001, 7):
        response = team.client("editor").patch(url(task, by_editor["id"]), {"body": body}, format="json")
        assert response.status_code == 400, body
    assert Comment.objects.get().body == "first thoughts"


def test_a_comment_is_reached_only_through_its_own_task(team, task, by_editor):
    other = project_task(team.project)
    client = team.client("editor")
    assert client.patch(url(other, by_editor["id"]), {"body": "x"}, format="json").status_code == 404
    assert client.delete(url(other, by_editor["id"])).status_code == 404
    assert client.patch(url(task, 987654), {"body": "x"}, format="json").status_code == 404
    assert Comment.objects.get().body == "first thoughts"


# --- deleting ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "admin", "owner"])
def test_the_author_or_an_admin_deletes(team, task, by_editor, who):
    assert team.client(who).delete(url(task, by_editor["id"])).status_code == 204
    assert not Comment.objects.exists()
    assert team.client("viewer").get(url(task)).json()["results"] == []


def test_an_editor_may_not_delete_someone_elses_comment(team, task):
    by_admin = post(team.client("admin"), task, "from the admin").json()
    before = shared_snapshot()
    for who in ("editor", "viewer"):
        response = team.client(who).delete(url(task, by_admin["id"]))
        assert response.status_code == 403, who
        assert error_code(response) == "permission_denied"
    assert shared_snapshot() == before


# --- history -----------------------------------------------------------------------------------------


def test_comments_are_in_the_history_without_their_text(team, task):
    client = team.client("editor")
    comment = post(client, task, "secret plan").json()
    client.patch(url(task, comment["id"]), {"body": "better plan"}, format="json")
    client.delete(url(task, comment["id"]))
    history = team.client("viewer").get(f"/api/tasks/{task.pk}/history/")
    events = history.json()["results"]
    assert [e["kind"] for e in events] == ["comment_deleted", "comment_edited", "commented"]
    assert all(e["changes"] == {"comment": comment["id"]} for e in events)
    assert all(e["actor_id"] == team.editor.pk for e in events)
    assert b"plan" not in history.content


def test_an_edit_to_the_same_text_is_no_edit(team, task, by_editor):
    response = team.client("editor").patch(
        url(task, by_editor["id"]), {"body": "first thoughts"}, format="json"
    )
    assert response.json()["edited"] is False
    kinds = [e["kind"] for e in team.client("editor").get(f"/api/tasks/{task.pk}/history/").json()["results"]]
    assert kinds == ["commented"]


# --- the author's account goes ------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["model", "service"])
def test_a_comment_stays_with_no_author_once_the_authors_account_is_deleted(team, task, by_editor, how):
    if how == "model":
        team.editor.delete()
    else:
        user_delete(user=team.editor, password=PASSWORD)
    listed = team.client("viewer").get(url(task)).json()["results"]
    assert [(c["id"], c["author"], c["body"]) for c in listed] == [(by_editor["id"], None, "first thoughts")]
    # an admin may still delete it
    assert team.client("admin").delete(url(task, by_editor["id"])).status_code == 204


# --- limits ------------------------------------------------------------------------------------------


def test_a_task_holds_at_most_the_comment_quota(team, task, settings):
    settings.TMS_QUOTA_COMMENTS_PER_TASK = 2
    client = team.client("editor")
    assert [post(client, task, f"c{n}").status_code for n in range(2)] == [201, 201]
    response = post(client, task, "one more")
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    assert Comment.objects.count() == 2


def test_a_trashed_task_has_no_comments_to_read_or_write(team, task, by_editor):
    team.client("editor").delete(f"/api/tasks/{task.pk}/")
    assert team.client("editor").get(url(task)).status_code == 404
    assert post(team.client("editor"), task, "hello?").status_code == 404
