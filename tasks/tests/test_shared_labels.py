"""Labels stay personal on shared tasks: each member sees, sets and filters by their own labels only,
and no member's label names reach another member: not in a task, a list, the trash or the history."""

import pytest

from tasks.tests.factories import LabelFactory, TaskFactory, project_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(team):
    """A shared task carrying the owner's label "boss-secret" and the editor's label "editor-private"."""
    task = project_task(team.project, title="shared")
    owners = LabelFactory(owner=team.owner, name="boss-secret")
    editors = LabelFactory(owner=team.editor, name="editor-private")
    task.labels.add(owners, editors)
    return task, owners, editors


def label_names(body: dict) -> list[str]:
    return [label["name"] for label in body["labels"]]


def test_each_member_sees_only_their_own_labels_on_a_shared_task(team, labelled):
    task, _, _ = labelled
    for who, expected in [("owner", ["boss-secret"]), ("editor", ["editor-private"]), ("viewer", [])]:
        client = team.client(who)
        detail = client.get(f"/api/tasks/{task.pk}/")
        assert label_names(detail.json()) == expected, who
        listed = client.get("/api/tasks/")
        assert label_names(listed.json()["results"][0]) == expected, who
        others = {"boss-secret", "editor-private"} - set(expected)
        for name in others:
            assert name.encode() not in detail.content + listed.content, (who, name)


def test_setting_labels_replaces_only_the_callers_own(team, labelled):
    task, owners, _ = labelled
    another = LabelFactory(owner=team.editor, name="editor-other")
    response = team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": [another.pk]}, format="json")
    assert response.status_code == 200
    assert label_names(response.json()) == ["editor-other"]
    assert b"boss-secret" not in response.content
    assert set(task.labels.all()) == {owners, another}
    # clearing their own leaves the owner's
    team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": []}, format="json")
    assert list(task.labels.all()) == [owners]
    assert label_names(team.client("owner").get(f"/api/tasks/{task.pk}/").json()) == ["boss-secret"]


def test_another_members_label_id_is_refused_as_unknown(team, labelled):
    task, owners, _ = labelled
    response = team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": [owners.pk]}, format="json")
    assert response.status_code == 400
    assert "labels" in response.json()["error"]["fields"]


def test_a_members_write_leaves_the_others_labels(team, labelled):
    task, owners, editors = labelled
    patched = team.client("editor").patch(f"/api/tasks/{task.pk}/", {"title": "patched"}, format="json")
    assert label_names(patched.json()) == ["editor-private"]
    assert set(task.labels.all()) == {owners, editors}
    # PUT replaces every field, the caller's labels too (none sent: none left); the owner's stay
    replaced = team.client("editor").put(f"/api/tasks/{task.pk}/", {"title": "replaced"}, format="json")
    assert label_names(replaced.json()) == []
    assert list(task.labels.all()) == [owners]


def test_label_names_stay_out_of_the_shared_history(team, labelled):
    task, _, _ = labelled
    editor_label = LabelFactory(owner=team.editor, name="editor-new")
    owner_label = LabelFactory(owner=team.owner, name="boss-new")
    team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": [editor_label.pk]}, format="json")
    bulk = {"ids": [task.pk], "action": "add_label", "value": owner_label.pk}
    assert team.client("owner").post("/api/tasks/bulk/", bulk, format="json").status_code == 200
    created = team.client("owner").post(
        "/api/tasks/",
        {"title": "born labelled", "project": team.project.pk, "labels": [owner_label.pk]},
        format="json",
    )
    assert label_names(created.json()) == ["boss-new"]
    for who in ("owner", "admin", "editor", "viewer"):
        for task_id in (task.pk, created.json()["id"]):
            history = team.client(who).get(f"/api/tasks/{task_id}/history/")
            assert history.status_code == 200
            for name in (b"boss-secret", b"boss-new", b"editor-private", b"editor-new"):
                assert name not in history.content, (who, name)


def test_an_inbox_tasks_label_history_stays_private_when_it_moves_into_a_project(team):
    task = TaskFactory(owner=team.editor, title="was mine")
    label = LabelFactory(owner=team.editor, name="editor-diary")
    team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": [label.pk]}, format="json")
    bulk = {"ids": [task.pk], "action": "remove_label", "value": label.pk}
    team.client("editor").post("/api/tasks/bulk/", bulk, format="json")
    team.client("editor").patch(f"/api/tasks/{task.pk}/", {"labels": [label.pk]}, format="json")
    # its owner reads their label changes in the Inbox
    own = team.client("editor").get(f"/api/tasks/{task.pk}/history/")
    assert b"editor-diary" in own.content
    # when
    moved = team.client("editor").patch(f"/api/tasks/{task.pk}/", {"project": team.project.pk}, format="json")
    assert moved.status_code == 200
    # then the other members read the task's history without those names
    for who in ("owner", "viewer"):
        history = team.client(who).get(f"/api/tasks/{task.pk}/history/")
        assert history.status_code == 200
        assert b"editor-diary" not in history.content, who
        assert history.json()["results"][0]["changes"] == {"project": [None, team.project.pk]}
    # and the editor, whose labels they are, still reads them
    assert b"editor-diary" in team.client("editor").get(f"/api/tasks/{task.pk}/history/").content


def test_an_imported_task_keeps_its_label_names_to_its_owner_only(team):
    imported = {"tasks": [{"title": "from a file", "labels": [{"name": "imported-private"}]}]}
    assert team.client("editor").post("/api/tasks/import/", imported, format="json").status_code in (200, 201)
    task_id = team.client("editor").get("/api/tasks/?project=inbox").json()["results"][0]["id"]
    team.client("editor").patch(f"/api/tasks/{task_id}/", {"project": team.project.pk}, format="json")
    assert b"imported-private" not in team.client("viewer").get(f"/api/tasks/{task_id}/history/").content


def test_the_label_filter_matches_only_the_callers_labels(team, labelled):
    task, owners, editors = labelled
    mine = team.client("editor").get(f"/api/tasks/?label={editors.pk}").json()["results"]
    assert [t["id"] for t in mine] == [task.pk]
    # the owner's label id matches nothing for the editor: no guessing which tasks the owner labelled
    assert team.client("editor").get(f"/api/tasks/?label={owners.pk}").json()["results"] == []


def test_the_trash_shows_only_the_callers_labels(team, labelled):
    task, _, _ = labelled
    team.client("editor").delete(f"/api/tasks/{task.pk}/")
    trash = team.client("viewer").get("/api/tasks/trash/")
    assert trash.json()["results"][0]["labels"] == []
    assert b"boss-secret" not in trash.content and b"editor-private" not in trash.content
    assert label_names(team.client("owner").get("/api/tasks/trash/").json()["results"][0]) == ["boss-secret"]


def test_a_bulk_label_change_touches_only_the_callers_labels(team, labelled):
    task, owners, editors = labelled
    bulk = {"ids": [task.pk], "action": "remove_label", "value": editors.pk}
    assert team.client("editor").post("/api/tasks/bulk/", bulk, format="json").json()["changed"] == 1
    assert list(task.labels.all()) == [owners]
    refused = {"ids": [task.pk], "action": "remove_label", "value": owners.pk}
    assert team.client("editor").post("/api/tasks/bulk/", refused, format="json").status_code == 400
    assert list(task.labels.all()) == [owners]
