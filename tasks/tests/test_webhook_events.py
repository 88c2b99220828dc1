"""Which changes write a webhook delivery, to whom, with what payload: every path that changes a task
(the API, bulk actions, carried sub-tasks, a project's trash) reports it, in the change's own
transaction; only the webhooks of people who can read the task get it, and only for the events
they chose. A change nobody involved has a webhook for costs one query."""

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.services.tasks import task_update
from tasks.tests.factories import TaskFactory, project_task
from tasks.tests.test_webhooks_api import hook_of
from tasks.webhooks.events import EVENTS, new_message_id
from tasks.webhooks.models import WebhookDelivery
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

TASKS = "/api/tasks/"


@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def ada_client(ada):
    return client_for(ada)


def sent(event: str | None = None) -> list[WebhookDelivery]:
    rows = WebhookDelivery.objects.order_by("pk")
    return list(rows.filter(event=event) if event else rows)


def test_each_task_change_through_the_api_is_one_event(ada, ada_client):
    hook = hook_of(ada, names=EVENTS)
    # when: created, updated, completed, trashed, restored, purged
    task_id = ada_client.post(TASKS, {"title": "Ship", "priority": "high"}, format="json").json()["id"]
    ada_client.patch(f"{TASKS}{task_id}/", {"title": "Ship it"}, format="json")
    ada_client.post(f"{TASKS}{task_id}/complete/")
    ada_client.delete(f"{TASKS}{task_id}/")
    ada_client.post(f"{TASKS}{task_id}/restore/")
    ada_client.delete(f"{TASKS}{task_id}/")
    assert ada_client.delete(f"{TASKS}trash/{task_id}/").status_code == 204
    # then
    rows = sent()
    assert [row.event for row in rows] == [
        "task.created",
        "task.updated",
        "task.completed",
        "task.trashed",
        "task.restored",
        "task.trashed",
        "task.deleted",
    ]
    assert all(row.webhook_id == hook.pk and row.state == "pending" for row in rows)
    assert len({row.message_id for row in rows}) == len(rows)
    created = rows[0].payload
    assert created["type"] == "task.created" and created["timestamp"].endswith("Z")
    data = created["data"]
    assert {
        key: data[key] for key in ("id", "title", "status", "priority", "project", "owner", "version")
    } == {
        "id": task_id,
        "title": "Ship",
        "status": "todo",
        "priority": "high",
        "project": None,
        "owner": ada.pk,
        "version": 1,
    }
    assert data["actor"] == ada.pk
    assert rows[1].payload["data"]["changes"] == {"title": ["Ship", "Ship it"]}
    assert rows[1].payload["data"]["title"] == "Ship it"
    assert rows[2].payload["data"]["status"] == "done"
    assert rows[3].payload["data"]["trashed_at"] is not None
    assert rows[4].payload["data"]["trashed_at"] is None
    assert rows[6].payload["data"]["id"] == task_id  # its last snapshot; the delivery outlives it
    assert not Task.objects.filter(pk=task_id).exists()


def test_only_the_events_chosen_are_written(ada, ada_client):
    hook_of(ada, names=("task.completed",))
    task_id = ada_client.post(TASKS, {"title": "x"}, format="json").json()["id"]
    ada_client.patch(f"{TASKS}{task_id}/", {"title": "y"}, format="json")
    # a status change to done is a completion, whichever way it is made
    ada_client.patch(f"{TASKS}{task_id}/", {"status": "done"}, format="json")
    assert [row.event for row in sent()] == ["task.completed"]


def test_inactive_webhooks_get_nothing(ada, ada_client):
    hook_of(ada, names=EVENTS, is_active=False)
    ada_client.post(TASKS, {"title": "x"}, format="json")
    assert sent() == []


def test_a_deactivated_members_webhooks_get_nothing_of_the_project(team):
    # given: the viewer has a webhook, then their account is deactivated (they stay a member)
    hook_of(team.user("viewer"), names=EVENTS)
    kept = hook_of(team.user("editor"), names=EVENTS)
    team.user("viewer").__class__.objects.filter(pk=team.user("viewer").pk).update(is_active=False)
    task = project_task(team.project, title="Launch")
    # when someone changes the project's task
    assert team.client("editor").post(f"{TASKS}{task.pk}/complete/").status_code == 200
    # then: only the active member's webhook is written to
    assert [row.webhook_id for row in sent()] == [kept.pk]


def test_a_shared_tasks_events_go_to_every_member_and_no_one_else(team):
    hooks = {who: hook_of(team.user(who), names=EVENTS) for who in ("owner", "admin", "editor", "viewer")}
    hook_of(team.stranger, names=EVENTS)
    task = project_task(team.project, title="Launch")
    # when an editor completes it
    assert team.client("editor").post(f"{TASKS}{task.pk}/complete/").status_code == 200
    # then
    rows = sent()
    assert sorted(row.webhook_id for row in rows) == sorted(hook.pk for hook in hooks.values())
    assert {row.event for row in rows} == {"task.completed"}
    assert {row.payload["data"]["actor"] for row in rows} == {team.editor.pk}
    assert len({row.message_id for row in rows}) == 4  # one message per endpoint


def test_bulk_actions_and_carried_subtasks_report_each_task(ada, ada_client):
    hook_of(ada, names=EVENTS)
    parent = TaskFactory(owner=ada, title="parent")
    child = TaskFactory(owner=ada, title="child", parent=parent)
    other = TaskFactory(owner=ada, title="other")
    response = ada_client.post(
        f"{TASKS}bulk/", {"ids": [parent.pk, other.pk], "action": "trash"}, format="json"
    )
    assert response.status_code == 200
    trashed = sent("task.trashed")
    assert sorted(row.payload["data"]["id"] for row in trashed) == sorted([parent.pk, child.pk, other.pk])
    # the snapshot is the task as it is now, not as the bulk action loaded it
    assert all(row.payload["data"]["trashed_at"] is not None for row in trashed)
    ada_client.post(f"{TASKS}bulk/", {"ids": [parent.pk, other.pk], "action": "restore"}, format="json")
    assert len(sent("task.restored")) == 3
    ada_client.post(f"{TASKS}bulk/", {"ids": [other.pk], "action": "complete"}, format="json")
    assert [row.payload["data"]["id"] for row in sent("task.completed")] == [other.pk]


def test_a_projects_trash_reports_its_tasks(team):
    hook = hook_of(team.viewer, names=("task.trashed",))
    tasks = [project_task(team.project, title=f"t{n}") for n in range(3)]
    assert team.client("owner").delete(f"{TASKS}projects/{team.project.pk}/").status_code == 204
    rows = sent("task.trashed")
    assert sorted(row.payload["data"]["id"] for row in rows) == sorted(task.pk for task in tasks)
    assert {row.webhook_id for row in rows} == {hook.pk}


def test_comments_are_reported_with_their_text(team):
    hook = hook_of(team.viewer, names=("comment.created", "comment.deleted"))
    task = project_task(team.project, title="discussed")
    base = f"{TASKS}{task.pk}/comments/"
    comment = team.client("editor").post(base, {"body": "Looks good"}, format="json").json()
    team.client("editor").patch(f"{base}{comment['id']}/", {"body": "Looks great"}, format="json")
    team.client("editor").delete(f"{base}{comment['id']}/")
    rows = sent()
    assert [row.event for row in rows] == ["comment.created", "comment.deleted"]
    assert {row.webhook_id for row in rows} == {hook.pk}
    created = rows[0].payload["data"]
    assert created["id"] == comment["id"] and created["body"] == "Looks good"
    assert created["author"] == team.editor.pk and created["task"]["id"] == task.pk
    assert rows[1].payload["data"] == {
        "id": comment["id"],
        "task": rows[1].payload["data"]["task"],
        "actor": team.editor.pk,
    }


def test_members_added_and_removed_are_reported_to_the_members_and_the_person(team):
    newcomer = UserFactory(username="newcomer")
    names = ("project.member_added", "project.member_removed")
    watching = hook_of(team.viewer, names=names)
    theirs = hook_of(newcomer, names=names)
    members = f"{TASKS}projects/{team.project.pk}/members/"
    assert (
        team.client("owner").post(members, {"user": "newcomer", "role": "viewer"}, format="json").status_code
        == 201
    )
    assert team.client("owner").delete(f"{members}{newcomer.pk}/").status_code == 204
    added, removed = sent("project.member_added"), sent("project.member_removed")
    assert {row.webhook_id for row in added} == {watching.pk, theirs.pk}
    assert {row.webhook_id for row in removed} == {watching.pk, theirs.pk}
    assert added[0].payload["data"] == {
        "project": team.project.pk,
        "user": newcomer.pk,
        "role": "viewer",
        "actor": team.owner.pk,
    }


def test_imports_send_no_events(ada, ada_client):
    TaskFactory(owner=ada, title="exported")
    exported = ada_client.get(f"{TASKS}export/")
    assert exported.status_code == 200
    data = json.loads(b"".join(exported.streaming_content))
    newcomer = UserFactory(username="newcomer")
    hook_of(newcomer, names=EVENTS)
    response = client_for(newcomer).post(f"{TASKS}import/", data, format="json")
    assert response.status_code == 201, response.content
    assert Task.objects.filter(owner=newcomer).count() == 1
    assert sent() == []


def test_a_change_that_rolls_back_leaves_no_delivery(ada):
    hook_of(ada, names=EVENTS)
    task = TaskFactory(owner=ada, title="kept")

    class Abort(Exception):
        pass

    def change_then_fail() -> None:
        with transaction.atomic():
            task_update(user_id=ada.pk, task_id=task.pk, actor_id=ada.pk, data={"title": "changed"})
            assert len(sent()) == 1  # written with the change, in its transaction
            raise Abort

    with pytest.raises(Abort):
        change_then_fail()
    assert sent() == []
    assert Task.objects.get(pk=task.pk).title == "kept"


def test_a_change_nobody_has_a_webhook_for_costs_one_query(ada, ada_client, assert_queries):
    task = TaskFactory(owner=ada)
    hook_of(UserFactory(username="someone"), names=EVENTS)  # someone else's webhook changes nothing
    # lock, write, history, the webhook lookup, the details for the answer
    with assert_queries(5):
        assert ada_client.patch(f"{TASKS}{task.pk}/", {"title": "x"}, format="json").status_code == 200
    assert sent() == []


def test_with_a_webhook_the_delivery_is_one_more_insert(ada, ada_client, assert_queries):
    task = TaskFactory(owner=ada)
    hook_of(ada, names=EVENTS)
    hook_of(ada, names=EVENTS)
    with assert_queries(6):
        assert ada_client.patch(f"{TASKS}{task.pk}/", {"title": "x"}, format="json").status_code == 200
    assert len(sent()) == 2


def test_bulk_changes_cost_the_same_for_any_number_of_tasks(ada, ada_client):
    hook_of(ada, names=EVENTS)
    counts = []
    for size in (2, 20):
        ids = [TaskFactory(owner=ada).pk for _ in range(size)]
        with CaptureQueriesContext(connection) as captured:
            ada_client.post(f"{TASKS}bulk/", {"ids": ids, "action": "complete"}, format="json")
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert len(sent("task.completed")) == 22


def test_message_ids_are_unique_and_sortable():
    ids = [new_message_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert all(len(message_id) == 30 and message_id.startswith("msg_") for message_id in ids)
    assert ids[0][:14] <= ids[-1][:14]  # the time part orders them
