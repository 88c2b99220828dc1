"""Sub-tasks: a parent of the same project, at most four levels, no cycles; moving, trashing and
restoring a parent carries its sub-tasks; a task counts its sub-tasks."""

import pytest

from tasks.models import ProjectMember, Task
from tasks.tests.factories import ProjectFactory, TaskFactory, project_task
from tasks.tests.sharing import error_code, shared_snapshot

pytestmark = pytest.mark.django_db


def create(client, **body):
    return client.post("/api/tasks/", body, format="json")


def patch(client, task, **body):
    return client.patch(f"/api/tasks/{task.pk if isinstance(task, Task) else task}/", body, format="json")


def chain(levels, **fields):
    """``levels`` tasks, each the sub-task of the one before."""
    tasks = [TaskFactory(**fields)]
    for _ in range(levels - 1):
        tasks.append(TaskFactory(parent=tasks[-1], **fields))
    return tasks


def fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


# --- creating sub-tasks ------------------------------------------------------------------------------


def test_a_sub_task_of_an_inbox_task(owner_client, owner):
    parent = TaskFactory(owner=owner)
    response = create(owner_client, title="child", parent=parent.pk)
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == parent.pk
    assert response.json()["project"] is None


def test_a_sub_task_without_project_goes_to_its_parents_project(team):
    parent = project_task(team.project)
    response = create(team.client("editor"), title="child", parent=parent.pk)
    assert response.status_code == 201, response.content
    assert (response.json()["project"], response.json()["parent"]) == (team.project.pk, parent.pk)
    assert Task.objects.get(pk=response.json()["id"]).owner_id == team.owner.pk


def test_a_parent_in_another_project_is_a_400(team):
    other = ProjectFactory(owner=team.editor, name="other")
    parent = project_task(other)
    before = shared_snapshot()
    response = create(team.client("editor"), title="child", parent=parent.pk, project=team.project.pk)
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]
    assert shared_snapshot() == before


def test_a_parent_you_cannot_read_is_a_400(team):
    shared, theirs = project_task(team.project), TaskFactory(owner=team.stranger)
    before = shared_snapshot()
    for who, parent in [("stranger", shared.pk), ("editor", theirs.pk), ("editor", 987654)]:
        response = create(team.client(who), title="c", parent=parent)
        assert response.status_code == 400, (who, parent)
        assert "parent" in response.json()["error"]["fields"]
    assert shared_snapshot() == before


def test_a_viewer_may_not_add_a_sub_task(team):
    parent = project_task(team.project)
    response = create(team.client("viewer"), title="child", parent=parent.pk)
    assert response.status_code == 403
    assert error_code(response) == "permission_denied"


def test_a_trashed_parent_is_a_400(owner_client, owner):
    parent = TaskFactory(owner=owner)
    owner_client.delete(f"/api/tasks/{parent.pk}/")
    assert create(owner_client, title="child", parent=parent.pk).status_code == 400


# --- four levels -------------------------------------------------------------------------------------


def test_four_levels_and_no_fifth_on_create(owner_client, owner):
    tasks = chain(3, owner=owner)
    fourth = create(owner_client, title="level 4", parent=tasks[-1].pk)
    assert fourth.status_code == 201
    fifth = create(owner_client, title="level 5", parent=fourth.json()["id"])
    assert fifth.status_code == 400
    assert "parent" in fifth.json()["error"]["fields"]
    assert Task.objects.count() == 4


def test_no_fifth_level_by_patching_a_parent(owner_client, owner):
    tasks = chain(4, owner=owner)
    loose = TaskFactory(owner=owner)
    response = patch(owner_client, loose, parent=tasks[-1].pk)
    assert response.status_code == 400
    assert fresh(loose).parent_id is None


def test_no_fifth_level_by_moving_a_subtree_under_a_parent(owner_client, owner):
    top, middle = chain(2, owner=owner)
    subtree = chain(3, owner=owner)  # three levels of its own
    # under ``top`` (level 1) the subtree would span levels 2-4: fine; under ``middle`` 3-5: refused
    refused = patch(owner_client, subtree[0], parent=middle.pk)
    assert refused.status_code == 400
    assert fresh(subtree[0]).parent_id is None
    assert patch(owner_client, subtree[0], parent=top.pk).status_code == 200
    assert fresh(subtree[0]).parent_id == top.pk


# --- cycles ------------------------------------------------------------------------------------------


def test_a_task_is_not_its_own_parent(owner_client, owner):
    task = TaskFactory(owner=owner)
    response = patch(owner_client, task, parent=task.pk)
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_task_is_not_put_under_its_own_descendant(owner_client, owner, depth):
    tasks = chain(depth + 1, owner=owner)
    response = patch(owner_client, tasks[0], parent=tasks[depth].pk)
    assert response.status_code == 400
    assert "parent" in response.json()["error"]["fields"]
    assert fresh(tasks[0]).parent_id is None


def test_a_sub_task_becomes_top_level_with_parent_null(owner_client, owner):
    parent, child = chain(2, owner=owner)
    response = patch(owner_client, child, parent=None)
    assert response.status_code == 200
    assert response.json()["parent"] is None
    history = owner_client.get(f"/api/tasks/{child.pk}/history/").json()["results"]
    assert history[0]["changes"]["parent"] == [parent.pk, None]


def test_patching_parent_into_another_project_is_a_400(team):
    task = project_task(team.project)
    elsewhere = project_task(ProjectFactory(owner=team.editor, name="mine"))
    response = patch(team.client("editor"), task, parent=elsewhere.pk)
    assert response.status_code == 400
    assert fresh(task).parent_id is None


# --- counts ------------------------------------------------------------------------------------------


def test_a_task_counts_its_direct_sub_tasks_outside_the_trash(owner_client, owner):
    parent = TaskFactory(owner=owner)
    TaskFactory(owner=owner, parent=parent, status="done")
    TaskFactory(owner=owner, parent=parent, status="todo")
    grandchild_parent = TaskFactory(owner=owner, parent=parent, status="in_progress")
    TaskFactory(owner=owner, parent=grandchild_parent, status="done")  # not a direct sub-task
    trashed = TaskFactory(owner=owner, parent=parent, status="done")
    owner_client.delete(f"/api/tasks/{trashed.pk}/")
    detail = owner_client.get(f"/api/tasks/{parent.pk}/").json()
    assert (detail["subtask_count"], detail["subtasks_done"]) == (3, 1)
    listed = {t["id"]: t for t in owner_client.get("/api/tasks/").json()["results"]}
    assert (listed[parent.pk]["subtask_count"], listed[parent.pk]["subtasks_done"]) == (3, 1)
    assert (listed[grandchild_parent.pk]["subtask_count"], listed[grandchild_parent.pk]["subtasks_done"]) == (
        1,
        1,
    )


def test_counts_are_read_only(owner_client, owner):
    task = TaskFactory(owner=owner)
    response = patch(owner_client, task, subtask_count=5)
    assert response.status_code == 200
    assert response.json()["subtask_count"] == 0


# --- trash and restore carry sub-tasks ---------------------------------------------------------------


def test_trashing_a_parent_trashes_its_sub_tasks_and_restoring_brings_back_exactly_those(owner_client, owner):
    top, child, grandchild = chain(3, owner=owner)
    sibling = TaskFactory(owner=owner, parent=top)
    # the sibling was trashed on its own, before
    assert owner_client.delete(f"/api/tasks/{sibling.pk}/").status_code == 204
    # when
    assert owner_client.delete(f"/api/tasks/{top.pk}/").status_code == 204
    # then
    assert all(fresh(task).trashed_at is not None for task in (top, child, grandchild, sibling))
    assert owner_client.get("/api/tasks/").json()["results"] == []
    # when restored
    assert owner_client.post(f"/api/tasks/{top.pk}/restore/").status_code == 200
    # then: those trashed with it come back; the sibling stays in the trash
    assert sorted(t["id"] for t in owner_client.get("/api/tasks/").json()["results"]) == sorted(
        [top.pk, child.pk, grandchild.pk]
    )
    assert [t["id"] for t in owner_client.get("/api/tasks/trash/").json()["results"]] == [sibling.pk]
    kinds = [e["kind"] for e in owner_client.get(f"/api/tasks/{grandchild.pk}/history/").json()["results"]]
    assert kinds[:2] == ["restored", "trashed"]


def test_restoring_a_sub_task_whose_parent_is_in_the_trash_is_409(owner_client, owner):
    parent, child = chain(2, owner=owner)
    owner_client.delete(f"/api/tasks/{parent.pk}/")
    response = owner_client.post(f"/api/tasks/{child.pk}/restore/")
    assert response.status_code == 409
    assert error_code(response) == "parent_in_trash"
    assert fresh(child).trashed_at is not None


def test_a_sub_task_trashed_alone_is_restored_alone(owner_client, owner):
    parent, child = chain(2, owner=owner)
    owner_client.delete(f"/api/tasks/{child.pk}/")
    assert fresh(parent).trashed_at is None
    assert owner_client.post(f"/api/tasks/{child.pk}/restore/").status_code == 200
    assert fresh(child).trashed_at is None


def test_bulk_trash_and_restore_carry_sub_tasks(owner_client, owner):
    top, child = chain(2, owner=owner)
    other = TaskFactory(owner=owner)
    body = {"ids": [top.pk, other.pk], "action": "trash"}
    assert owner_client.post("/api/tasks/bulk/", body, format="json").status_code == 200
    assert fresh(child).trashed_at is not None
    body["action"] = "restore"
    assert owner_client.post("/api/tasks/bulk/", body, format="json").status_code == 200
    assert fresh(child).trashed_at is None


def test_bulk_restore_of_a_sub_task_whose_parent_is_in_the_trash_is_409(owner_client, owner):
    parent, child = chain(2, owner=owner)
    owner_client.delete(f"/api/tasks/{parent.pk}/")
    before = shared_snapshot()
    response = owner_client.post("/api/tasks/bulk/", {"ids": [child.pk], "action": "restore"}, format="json")
    assert response.status_code == 409
    assert error_code(response) == "parent_in_trash"
    assert shared_snapshot() == before
    # with its parent in the same request, both come back
    both = {"ids": [child.pk, parent.pk], "action": "restore"}
    assert owner_client.post("/api/tasks/bulk/", both, format="json").status_code == 200
    assert fresh(child).trashed_at is None


# --- moving between projects -------------------------------------------------------------------------


@pytest.fixture
def target(team):
    """A second project of the team's owner: the owner, the admin and the editor are in it, the viewer not."""
    project = ProjectFactory(owner=team.owner, name="Target")
    ProjectMember.objects.create(project=project, user=team.editor, role="editor")
    ProjectMember.objects.create(project=project, user=team.admin, role="viewer")
    return project


def test_moving_a_task_to_another_project_carries_its_sub_tasks_and_drops_non_members(team, target):
    top = project_task(team.project)
    child = project_task(team.project, parent=top)
    grandchild = project_task(team.project, parent=child)
    for task in (top, child, grandchild):
        task.assignees.add(team.editor, team.viewer)
    # when
    response = patch(team.client("editor"), top, project=target.pk)
    # then
    assert response.status_code == 200, response.content
    assert response.json()["project"] == target.pk
    assert [a["id"] for a in response.json()["assignees"]] == [team.editor.pk]
    for task in (top, child, grandchild):
        moved = fresh(task)
        assert (moved.project_id, moved.owner_id) == (target.pk, team.owner.pk)
        assert list(moved.assignees.all()) == [team.editor]  # the viewer is no member of the target
    assert fresh(child).parent_id == top.pk and fresh(grandchild).parent_id == child.pk
    history = team.client("editor").get(f"/api/tasks/{top.pk}/history/").json()["results"]
    assert history[0]["changes"]["project"] == [team.project.pk, target.pk]


def test_moving_to_the_inbox_carries_sub_tasks_into_the_movers_inbox(team):
    top = project_task(team.project)
    child = project_task(team.project, parent=top)
    child.assignees.add(team.viewer, team.editor)
    response = patch(team.client("editor"), top, project=None)
    assert response.status_code == 200
    for task in (top, child):
        moved = fresh(task)
        assert (moved.project_id, moved.owner_id) == (None, team.editor.pk)
    assert list(fresh(child).assignees.all()) == [team.editor]
    # gone from the project for the others, there in the editor's Inbox
    assert team.client("viewer").get(f"/api/tasks/{top.pk}/").status_code == 404
    inbox = team.client("editor").get("/api/tasks/?project=inbox").json()["results"]
    assert sorted(t["id"] for t in inbox) == sorted([top.pk, child.pk])


def test_moving_a_sub_task_to_another_project_takes_it_out_of_its_parent(team, target):
    top = project_task(team.project)
    child = project_task(team.project, parent=top)
    response = patch(team.client("editor"), child, project=target.pk)
    assert response.status_code == 200, response.content
    assert (response.json()["project"], response.json()["parent"]) == (target.pk, None)
    assert fresh(top).project_id == team.project.pk


def test_moving_under_a_parent_of_the_target_in_one_request(team, target):
    task = project_task(team.project)
    there = project_task(target)
    response = patch(team.client("editor"), task, project=target.pk, parent=there.pk)
    assert response.status_code == 200, response.content
    assert (response.json()["project"], response.json()["parent"]) == (target.pk, there.pk)


def test_moving_needs_editor_in_both_projects(team, target):
    task = project_task(team.project)
    back = project_task(target)
    before = shared_snapshot()
    # the admin is a viewer of the target
    into = patch(team.client("admin"), task, project=target.pk)
    assert into.status_code == 403
    out_of = patch(team.client("admin"), back, project=team.project.pk)
    assert out_of.status_code == 403
    # the viewer may not change the task in the first place
    assert patch(team.client("viewer"), task, project=target.pk).status_code == 403
    assert shared_snapshot() == before


def test_moving_into_a_project_you_are_not_in_is_a_400(team, owner_client):
    task = TaskFactory(owner=team.stranger)
    response = patch(team.client("stranger"), task, project=team.project.pk)
    assert response.status_code == 400
    assert "project" in response.json()["error"]["fields"]
    assert fresh(task).project_id is None


def test_an_inbox_task_with_sub_tasks_moves_into_a_project(team):
    top = TaskFactory(owner=team.editor)
    child = TaskFactory(owner=team.editor, parent=top)
    response = patch(team.client("editor"), top, project=team.project.pk)
    assert response.status_code == 200
    for task in (top, child):
        assert (fresh(task).project_id, fresh(task).owner_id) == (team.project.pk, team.owner.pk)
    listed = team.client("viewer").get(f"/api/tasks/?project={team.project.pk}").json()["results"]
    assert sorted(t["id"] for t in listed) == sorted([top.pk, child.pk])


def test_a_move_that_would_pass_the_target_owners_quota_is_409(team, settings):
    settings.TMS_QUOTA_TASKS = 2
    project_task(team.project)
    top = TaskFactory(owner=team.editor)
    TaskFactory(owner=team.editor, parent=top)
    before = shared_snapshot()
    response = patch(team.client("editor"), top, project=team.project.pk)
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    assert shared_snapshot() == before


# --- list filters ------------------------------------------------------------------------------------


@pytest.fixture
def spread(team):
    """The editor's tasks: two in their Inbox, two in the team's project (one a sub-task), one in
    another project of theirs; assignments to the editor and the viewer."""
    other = ProjectFactory(owner=team.editor, name="Side")
    tasks = {
        "inbox": TaskFactory(owner=team.editor, title="inbox"),
        "inbox_done": TaskFactory(owner=team.editor, title="inbox done", status="done"),
        "shared": project_task(team.project, title="shared"),
        "side": project_task(other, title="side"),
    }
    tasks["sub"] = project_task(team.project, title="sub", parent=tasks["shared"])
    tasks["shared"].assignees.add(team.editor)
    tasks["sub"].assignees.add(team.viewer)
    tasks["side"].assignees.add(team.editor)
    tasks["other"] = other
    return tasks


def titles(client, query: str) -> list[str]:
    response = client.get(f"/api/tasks/{query}")
    assert response.status_code == 200, response.content
    return sorted(t["title"] for t in response.json()["results"])


def test_the_project_filter(team, spread):
    client = team.client("editor")
    assert titles(client, "") == ["inbox", "inbox done", "shared", "side", "sub"]
    assert titles(client, f"?project={team.project.pk}") == ["shared", "sub"]
    assert titles(client, "?project=inbox") == ["inbox", "inbox done"]
    assert titles(client, "?project=INBOX") == ["inbox", "inbox done"]
    assert titles(client, f"?project={team.project.pk}&project={spread['other'].pk}") == [
        "shared",
        "side",
        "sub",
    ]
    assert titles(client, f"?project={spread['other'].pk},inbox") == ["inbox", "inbox done", "side"]
    # a project the caller is not in is 404, as one that does not exist
    hidden = team.client("viewer").get(f"/api/tasks/?project={spread['other'].pk}")
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"


def test_the_parent_filter(team, spread):
    client = team.client("editor")
    assert titles(client, f"?parent={spread['shared'].pk}") == ["sub"]
    assert titles(client, "?parent=none") == ["inbox", "inbox done", "shared", "side"]
    assert titles(client, f"?parent=none&project={team.project.pk}") == ["shared"]


def test_the_assignee_filter(team, spread):
    editor = team.client("editor")
    assert titles(editor, "?assignee=me") == ["shared", "side"]
    assert titles(editor, f"?assignee={team.viewer.pk}") == ["sub"]
    assert titles(team.client("viewer"), "?assignee=me") == ["sub"]
    assert titles(editor, f"?assignee=me&project={team.project.pk}") == ["shared"]


def test_the_new_filters_combine_with_the_others(team, spread):
    client = team.client("editor")
    assert titles(client, "?project=inbox&status=done") == ["inbox done"]
    assert titles(client, "?parent=none&q=in") == ["inbox", "inbox done"]
    assert titles(client, "?assignee=me&status=todo&q=sid") == ["side"]


@pytest.mark.parametrize(
    "query",
    [
        "?project=abc",
        "?project=0",
        "?project=-3",
        "?project=",
        "?parent=top",
        "?parent=0",
        "?parent=",
        "?assignee=you",
        "?assignee=-1",
        "?assignee=",
        "?project=1,x",
    ],
)
def test_bad_filter_values_are_400(owner_client, query):
    response = owner_client.get(f"/api/tasks/{query}")
    assert response.status_code == 400, query
    assert error_code(response) == "invalid"


def test_a_list_of_more_than_50_projects_is_400(owner_client):
    ids = ",".join(str(n) for n in range(1, 52))
    assert owner_client.get(f"/api/tasks/?project={ids}").status_code == 400


def test_filtering_by_another_users_id_shows_only_shared_tasks(team, spread):
    # the stranger sees nothing assigned to the editor: the filter narrows what they read already
    assert titles(team.client("stranger"), f"?assignee={team.editor.pk}") == []


def test_a_move_is_in_the_history_of_every_task_it_carries(team, target):
    top = project_task(team.project)
    child = project_task(team.project, parent=top)
    child.assignees.add(team.viewer, team.editor)
    top.assignees.add(team.viewer)
    before = {task.pk: fresh(task).updated_at for task in (top, child)}
    # when
    assert patch(team.client("editor"), top, project=target.pk).status_code == 200
    # then each moved task says so, and which assignees it lost
    client = team.client("editor")
    top_event = client.get(f"/api/tasks/{top.pk}/history/").json()["results"][0]
    assert top_event["changes"] == {"project": [team.project.pk, target.pk], "assignees": [["viewer1"], []]}
    child_event = client.get(f"/api/tasks/{child.pk}/history/").json()["results"][0]
    assert (child_event["kind"], child_event["actor_id"]) == ("updated", team.editor.pk)
    assert child_event["changes"] == {
        "project": [team.project.pk, target.pk],
        "with": top.pk,
        "assignees": [["editor1", "viewer1"], ["editor1"]],
    }
    # and a client syncing with updated_since sees the sub-task changed
    assert all(fresh(task).updated_at > before[task.pk] for task in (top, child))
    since = before[top.pk].isoformat().replace("+00:00", "Z")
    synced = client.get("/api/tasks/", {"updated_since": since, "project": target.pk}).json()["results"]
    assert sorted(t["id"] for t in synced) == sorted([top.pk, child.pk])
