"""Per-account quotas and per-task caps hold on every write path: create, update, bulk, import.

A refused write is 409 quota_exceeded (a quota of the account) or 400 naming the
field (a per-request cap), and changes nothing.
"""

import uuid
from collections import Counter

import pytest

from tasks.models import IdempotencyRecord, Label, Task, TaskEvent
from tasks.services.quotas import MAX_LABELS_PER_TASK
from tasks.tests.factories import LabelFactory, TaskFactory
from tasks.tests.test_concurrency import race
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

IMPORT = "/api/tasks/import/"


def snapshot() -> tuple:
    """Everything a refused write must leave as it was."""
    return (
        sorted(Task.objects.values_list("pk", "title", "version", "trashed_at")),
        sorted(Label.objects.values_list("pk", "name")),
        sorted(Task.labels.through.objects.values_list("task_id", "label_id")),
        TaskEvent.objects.count(),
        IdempotencyRecord.objects.count(),
    )


def assert_quota_refused(response, what: str, quota: int) -> None:
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert f"The {what} quota is {quota:,} per account" in error["message"]
    assert "fields" not in error


@pytest.fixture
def quota(settings):
    def _set(*, tasks: int | None = None, labels: int | None = None) -> None:
        if tasks is not None:
            settings.TMS_QUOTA_TASKS = tasks
        if labels is not None:
            settings.TMS_QUOTA_LABELS = labels

    return _set


# --- tasks per account --------------------------------------------------------------------------


def test_the_documented_defaults(settings):
    assert settings.TMS_QUOTA_TASKS == 100_000
    assert settings.TMS_QUOTA_LABELS == 200
    assert MAX_LABELS_PER_TASK == 20


def test_create_past_the_task_quota_is_refused_and_the_trash_counts(owner_client, owner, quota):
    # given: two live tasks and one in the trash, quota three
    quota(tasks=3)
    TaskFactory.create_batch(2, owner=owner)
    trashed = TaskFactory(owner=owner)
    assert owner_client.delete(f"/api/tasks/{trashed.pk}/").status_code == 204
    before = snapshot()
    # when
    response = owner_client.post("/api/tasks/", {"title": "one too many"}, format="json")
    # then
    assert_quota_refused(response, "tasks", 3)
    assert snapshot() == before
    # emptying the trash makes room
    assert owner_client.delete(f"/api/tasks/trash/{trashed.pk}/").status_code == 204
    assert owner_client.post("/api/tasks/", {"title": "fits now"}, format="json").status_code == 201


def test_idempotent_create_past_the_quota_stores_no_key(owner_client, owner, quota):
    quota(tasks=1)
    TaskFactory(owner=owner)
    before = snapshot()
    response = owner_client.post("/api/tasks/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_quota_refused(response, "tasks", 1)
    assert snapshot() == before  # no task, no key: a retry after making room creates the task
    quota(tasks=2)
    assert (
        owner_client.post(
            "/api/tasks/", {"title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        ).status_code
        == 201
    )


def test_another_users_tasks_do_not_count(owner_client, owner, stranger, quota):
    quota(tasks=2)
    TaskFactory.create_batch(5, owner=stranger)
    TaskFactory(owner=owner)
    assert owner_client.post("/api/tasks/", {"title": "second"}, format="json").status_code == 201


def test_import_past_the_task_quota_is_refused_and_imports_nothing(owner_client, owner, quota):
    quota(tasks=10)
    TaskFactory.create_batch(8, owner=owner)
    before = snapshot()
    rows = [{"title": f"row {n}", "labels": [{"name": "new"}]} for n in range(3)]
    response = owner_client.post(IMPORT, {"tasks": rows}, format="json")
    assert_quota_refused(response, "tasks", 10)
    assert "you have 8, and this would add 3" in response.json()["error"]["message"]
    assert snapshot() == before
    # exactly up to the quota is fine
    assert owner_client.post(IMPORT, {"tasks": rows[:2]}, format="json").status_code == 201
    assert Task.objects.filter(owner=owner).count() == 10


def test_a_full_account_is_refused_before_its_import_is_parsed(owner_client, owner, quota):
    # given: an account at its quota
    quota(tasks=1)
    TaskFactory(owner=owner)
    # when: it sends a body that is not even JSON
    response = owner_client.post(IMPORT, data=b"{not json", content_type="application/json")
    # then: the quota answers, not the parser (which would say 400 parse_error)
    assert_quota_refused(response, "tasks", 1)


# --- labels per account ---------------------------------------------------------------------------


def test_import_past_the_label_quota_is_refused_and_creates_nothing(owner_client, owner, quota):
    # given: 198 of 200 labels
    Label.objects.bulk_create([Label(owner=owner, name=f"mine {n}") for n in range(198)])
    before = snapshot()
    # when: the import names one existing label (any case) and three new ones
    rows = [
        {"title": "a", "labels": [{"name": "MINE 1"}, {"name": "new 1"}]},
        {"title": "b", "labels": [{"name": "new 2"}, {"name": "new 3"}, {"name": "New 1"}]},
    ]
    response = owner_client.post(IMPORT, {"tasks": rows}, format="json")
    # then: nothing at all is written, labels included
    assert_quota_refused(response, "labels", 200)
    assert "you have 198, and this would add 3" in response.json()["error"]["message"]
    assert snapshot() == before
    # two new labels fit exactly
    rows[1]["labels"] = [{"name": "new 1"}, {"name": "mine 2"}]
    rows.append({"title": "c", "labels": [{"name": "new 2"}]})
    assert owner_client.post(IMPORT, {"tasks": rows}, format="json").json() == {
        "imported": 3,
        "labels_created": 2,
        "projects_created": 0,
    }
    assert Label.objects.filter(owner=owner).count() == 200


def test_the_attack_run_cannot_pass_the_label_quota(owner_client, owner):
    # an import of 5,000 rows, each with its own 20 new label names (the run reached 62,202 labels)
    rows = [
        {"title": f"t{n}", "labels": [{"name": f"l{n}-{m}"} for m in range(MAX_LABELS_PER_TASK)]}
        for n in range(250)
    ]
    response = owner_client.post(IMPORT, {"tasks": rows}, format="json")
    assert_quota_refused(response, "labels", 200)
    assert not Label.objects.exists() and not Task.objects.exists()


def test_the_label_quota_is_a_setting(owner_client, owner, quota):
    quota(labels=2)
    for name in ("a", "b"):
        assert owner_client.post("/api/tasks/labels/", {"name": name}, format="json").status_code == 201
    assert_quota_refused(owner_client.post("/api/tasks/labels/", {"name": "c"}, format="json"), "labels", 2)
    # deleting one makes room again
    label = Label.objects.get(owner=owner, name="a")
    assert owner_client.delete(f"/api/tasks/labels/{label.pk}/").status_code == 204
    assert owner_client.post("/api/tasks/labels/", {"name": "c"}, format="json").status_code == 201


# --- labels per task ------------------------------------------------------------------------------


@pytest.fixture
def twenty_labels(owner) -> list[Label]:
    return Label.objects.bulk_create(
        [Label(owner=owner, name=f"l{n:02}") for n in range(MAX_LABELS_PER_TASK)]
    )


def test_bulk_add_label_past_twenty_per_task_is_refused_for_every_task(owner_client, owner, twenty_labels):
    # given: one task with 20 labels, one with none, and a 21st label
    full = TaskFactory(owner=owner)
    full.labels.set(twenty_labels)
    empty = TaskFactory(owner=owner)
    extra = LabelFactory(owner=owner, name="twenty-first")
    before = snapshot()
    # when
    response = owner_client.post(
        "/api/tasks/bulk/",
        {"ids": [empty.pk, full.pk], "action": "add_label", "value": extra.pk},
        format="json",
    )
    # then: all or nothing, the full task named
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["value"][0]
    assert f"at most {MAX_LABELS_PER_TASK} labels" in message and str(full.pk) in message
    assert snapshot() == before


def test_bulk_add_label_a_full_task_already_has_changes_nothing_and_passes(
    owner_client, owner, twenty_labels
):
    full = TaskFactory(owner=owner)
    full.labels.set(twenty_labels)
    body = {"ids": [full.pk], "action": "add_label", "value": twenty_labels[0].pk}
    assert owner_client.post("/api/tasks/bulk/", body, format="json").json() == {
        "action": "add_label",
        "matched": 1,
        "changed": 0,
    }


def test_create_and_update_take_at_most_twenty_label_ids(owner_client, owner, twenty_labels):
    extra = LabelFactory(owner=owner, name="twenty-first")
    ids = [label.pk for label in twenty_labels]
    task = owner_client.post("/api/tasks/", {"title": "full", "labels": ids}, format="json").json()
    assert len(task["labels"]) == MAX_LABELS_PER_TASK
    before = snapshot()
    for response in (
        owner_client.post("/api/tasks/", {"title": "over", "labels": [*ids, extra.pk]}, format="json"),
        owner_client.patch(f"/api/tasks/{task['id']}/", {"labels": [*ids, extra.pk]}, format="json"),
        owner_client.put(
            f"/api/tasks/{task['id']}/", {"title": "t", "labels": [*ids, extra.pk]}, format="json"
        ),
    ):
        assert response.status_code == 400
        assert "labels" in response.json()["error"]["fields"]
    assert snapshot() == before


def test_an_import_row_takes_at_most_twenty_labels(owner_client, owner):
    row = {"title": "over", "labels": [{"name": f"l{n}"} for n in range(MAX_LABELS_PER_TASK + 1)]}
    response = owner_client.post(IMPORT, {"tasks": [{"title": "fine"}, row]}, format="json")
    assert response.status_code == 400
    assert "labels" in response.json()["error"]["fields"]["tasks"]["1"]
    assert not Task.objects.exists() and not Label.objects.exists()


# --- the owner is gone ------------------------------------------------------------------------------


def test_writes_for_a_deleted_account_are_401(owner):
    owner_client = client_for(owner)
    owner.delete()
    for path, body in (("/api/tasks/", {"title": "t"}), ("/api/tasks/labels/", {"name": "n"})):
        response = owner_client.post(path, body, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "account_deleted"
    assert not Task.objects.exists() and not Label.objects.exists()


# --- races at the edge of a quota ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "idempotency-keys"])
def test_creates_racing_at_the_quota_cannot_pass_it(owner, settings, keyed):
    """Each create counts, then inserts: without the owner's lock all six would fit.

    With Idempotency-Keys (each its own) the key row is inserted too; the owner's lock
    comes first, so the racers queue instead of deadlocking.
    """
    settings.TMS_QUOTA_TASKS = 5
    TaskFactory.create_batch(3, owner=owner)

    def create():
        headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if keyed else {}
        return client_for(owner).post("/api/tasks/", {"title": "racer"}, format="json", **headers).status_code

    statuses = race(6, create)
    assert Counter(statuses) == {201: 2, 409: 4}
    assert Task.objects.filter(owner=owner).count() == 5


@pytest.mark.django_db(transaction=True)
def test_label_creates_racing_at_the_quota_cannot_pass_it(owner, settings):
    settings.TMS_QUOTA_LABELS = 3
    LabelFactory(owner=owner, name="first")
    names = iter(f"racer {n}" for n in range(6))

    def create():
        return client_for(owner).post("/api/tasks/labels/", {"name": next(names)}, format="json").status_code

    statuses = race(6, create)
    assert Counter(statuses) == {201: 2, 409: 4}
    assert Label.objects.filter(owner=owner).count() == 3


def test_a_project_task_counts_against_the_project_owner_and_the_refusal_says_so(owner, stranger, quota):
    from tasks.tests.factories import ProjectFactory, ProjectMemberFactory

    project = ProjectFactory(owner=owner)
    ProjectMemberFactory(project=project, user=stranger, role="editor")
    TaskFactory(owner=owner)
    quota(tasks=2)
    editor = client_for(stranger)
    assert (
        editor.post("/api/tasks/", {"title": "fits", "project": project.pk}, format="json").status_code == 201
    )
    assert Task.objects.filter(owner=owner).count() == 2  # the project's task is the owner's
    refused = editor.post("/api/tasks/", {"title": "full", "project": project.pk}, format="json")
    assert refused.status_code == 409
    assert "the project's owner has 2" in refused.json()["error"]["message"]
    # the editor's own Inbox is their own account: it still has room
    assert editor.post("/api/tasks/", {"title": "mine"}, format="json").status_code == 201
